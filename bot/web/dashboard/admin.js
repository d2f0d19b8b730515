// Admin models page: while a retrain runs, show its progress without reloading the page;
// reload once it has finished so the versions table shows the new candidate.
(function () {
  "use strict";
  var box = document.getElementById("retrain-status");
  if (!box || box.getAttribute("data-running") !== "yes") { return; }
  function show(state) {
    var status = state.status || {};
    var steps = document.getElementById("retrain-steps");
    if (steps) {
      steps.textContent = "";
      (status.steps || []).forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;  // text, never HTML
        steps.appendChild(item);
      });
    }
    var label = document.getElementById("retrain-state");
    if (label && status.state) { label.textContent = status.state; }
  }
  function poll() {
    fetch("/staff/admin/models/retrain.json", {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        show(state);
        if (state.running) { setTimeout(poll, 3000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, 2000);
}());
