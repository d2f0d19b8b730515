"""Compare service-area heads by repeated stratified 80/20 splits on several proxy sets.

    python bench/area_cv.py [--quick] [--seeds N] [--sets a,b] [--methods a,b] [--json FILE]

On the 2-core development machine ``--quick`` (one seed) takes about 5 minutes, the
default three seeds about 15.

Each set is split 80/20 per label (seeds 0..N-1); every method trains on the 80 % and is
scored on the 20 % (macro-F1 over the labels present, accuracy) with its training time.
The ``+noise`` sets flip 15 % of the *training* labels to another label at random (the
test labels stay clean), as citizens who pick their own category make such mistakes.

Methods:

* ``reference``: ``TfidfVectorizer()`` + ``LogisticRegression()`` on the raw text, the
  recipe of the published baselines we are compared with.
* ``tuned``: a well-tuned linear baseline on the raw text: word 1-2-grams + char_wb
  2-5-grams (TF-IDF, sublinear, min_df 2) into a LinearSVC whose C and class weight are
  chosen by inner 3-fold CV for macro-F1 (C 0.03-1, none or balanced).
* ``before``: the area head as it was before this bench (a frozen copy: C and class
  balance chosen on a 15 % validation split, calibrated LinearSVC, no class offsets).
* ``current``: the area head exactly as ``civicvoice train`` builds it
  (``nlp.training._Trainer.area`` on ``nlp.prep`` views).

Timing: the fit alone for ``reference`` and ``tuned``; for ``before`` and ``current`` the
fit plus the spaCy preparation of the training texts (``civicvoice train`` pays both).

Sets (from ../shared/data, see each SOURCE.md, and the bundled training table):
``bengaluru`` (9 categories, exact duplicates removed, labels with >= 10 rows),
``default`` (models/training/default_table.csv, 13 areas), ``cycling`` (German, 8 main
topics, title + text), ``cycling-fine`` (German, the 29 level-2 labels with >= 10 rows, rows
with exactly one), ``disaster`` (disaster-messages, every genre, the rows with exactly one
specific need, needs with >= 20 rows: 15 needs such as food, medical_help, shelter), and
``bengaluru+noise``, ``default+noise``.

Every figure is the mean over seeds with a 95 % bootstrap interval (each round resamples
every seed's test rows), and ``cur-tuned`` is the paired difference between ``current`` and
``tuned`` with its interval: an interval above zero means ahead, one across zero level.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.heads import head_input, partial_balance  # noqa: E402
from nlp.metrics import classification_report  # noqa: E402
from nlp.prep import Prepared, Preparer  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
NOISE = 0.15
TEST_FRACTION = 0.2
Predict = Callable[[list[str], list[Prepared]], list[str]]


@dataclass(frozen=True, slots=True)
class ProxySet:
    texts: list[str]
    labels: list[str]
    lang: str


@dataclass(frozen=True, slots=True)
class Split:
    texts: list[str]
    prepared: list[Prepared]
    labels: list[str]
    lang: str
    seconds_per_text: float  # spaCy preparation


# -- the proxy sets -------------------------------------------------------------------------

def _dedupe(texts: Sequence[str], labels: Sequence[str], min_rows: int = 1) -> tuple[list[str],
                                                                                      list[str]]:
    """Drop empty texts and repeats (case and spacing ignored); keep labels with min_rows."""
    seen: set[str] = set()
    rows = []
    for text, label in zip(texts, labels, strict=True):
        key = " ".join(text.split()).lower()
        if key and label and key not in seen:
            seen.add(key)
            rows.append((text, label))
    counts = Counter(label for _, label in rows)
    rows = [(t, lab) for t, lab in rows if counts[lab] >= min_rows]
    return [t for t, _ in rows], [lab for _, lab in rows]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def bengaluru(shared: Path) -> ProxySet:
    rows = _csv(shared / "bengaluru-civic" / "cat_dataset.csv")
    texts, labels = _dedupe([r["description"] for r in rows], [r["category"] for r in rows], 10)
    return ProxySet(texts, labels, "en")


def default_table(_shared: Path) -> ProxySet:
    rows = _csv(ROOT / "models" / "training" / "default_table.csv")
    texts, labels = _dedupe([r["text"] for r in rows], [r["area"] for r in rows])
    return ProxySet(texts, labels, "en")


def _cycling(shared: Path) -> list[dict[str, str]]:
    rows = _csv(shared / "cycling-dialogues-de" / "dataset.csv")
    for r in rows:  # as ``--text-column title,text`` joins them
        r["_text"] = " ".join(v.strip() for v in (r["title"], r["text"]) if v.strip())
    return rows


def cycling(shared: Path) -> ProxySet:
    rows = _cycling(shared)
    texts, labels = _dedupe([r["_text"] for r in rows], [r["main_category_level1"] for r in rows])
    return ProxySet(texts, labels, "de")


def cycling_fine(shared: Path) -> ProxySet:
    rows = _cycling(shared)
    fine = [c for c in rows[0] if c.startswith("level2_")]
    texts, labels = [], []
    for r in rows:
        on = [c for c in fine if float(r[c] or 0) > 0]
        if len(on) == 1:
            texts.append(r["_text"])
            labels.append(on[0].removeprefix("level2_"))
    texts, labels = _dedupe(texts, labels, 10)
    return ProxySet(texts, labels, "de")


_UMBRELLA = {"related", "PII", "request", "offer", "aid_related", "infrastructure_related",
             "weather_related", "direct_report", "other_aid", "other_infrastructure",
             "other_weather"}


def disaster(shared: Path) -> ProxySet:
    """Disaster messages (every genre) with exactly one specific need, needs with >= 20."""
    rows = [r for name in ("validation", "test")
            for r in _csv(shared / "disaster-messages" / f"disaster_response_{name}.csv")]
    columns = list(rows[0])
    needs = [c for c in columns[columns.index("request"):columns.index("direct_report") + 1]
             if c not in _UMBRELLA]
    texts, labels = [], []
    for r in rows:
        on = [n for n in needs if r[n] == "1"]
        if len(on) == 1:
            texts.append(r["message"])
            labels.append(on[0])
    texts, labels = _dedupe(texts, labels, 20)
    return ProxySet(texts, labels, "en")


SETS: dict[str, tuple[Callable[[Path], ProxySet], bool]] = {
    "bengaluru": (bengaluru, False),
    "default": (default_table, False),
    "cycling": (cycling, False),
    "cycling-fine": (cycling_fine, False),
    "disaster": (disaster, False),
    "bengaluru+noise": (bengaluru, True),
    "default+noise": (default_table, True),
}


def flip_labels(labels: Sequence[str], share: float, seed: int) -> list[str]:
    """``share`` of the labels changed to another label, uniformly at random."""
    names = sorted(set(labels))
    rng = np.random.default_rng(1000 + seed)
    out = list(labels)
    for i in np.nonzero(rng.random(len(out)) < share)[0]:
        others = [n for n in names if n != out[i]]
        out[i] = others[int(rng.integers(len(others)))]
    return out


def split_rows(labels: Sequence[str], seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import StratifiedShuffleSplit

    splitter = StratifiedShuffleSplit(1, test_size=TEST_FRACTION, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(labels)), labels))
    return train, test


# -- the methods ----------------------------------------------------------------------------

def reference(split: Split) -> Predict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(), LogisticRegression())
    model.fit(split.texts, split.labels)
    return lambda texts, _prepared: [str(p) for p in model.predict(texts)]


def tuned(split: Split) -> Predict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import FeatureUnion
    from sklearn.svm import LinearSVC

    features = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                  min_df=2)),
    ])
    x = features.fit_transform(split.texts)
    smallest = min(Counter(split.labels).values())
    search = GridSearchCV(LinearSVC(), {"C": [0.03, 0.1, 0.3, 1.0],
                                        "class_weight": [None, "balanced"]},
                          scoring="f1_macro", n_jobs=2,
                          cv=StratifiedKFold(min(3, smallest), shuffle=True, random_state=0))
    search.fit(x, split.labels)
    model = search.best_estimator_
    return lambda texts, _prepared: [str(p) for p in model.predict(features.transform(texts))]


def _before_pipeline(labels: Sequence[str], c: float) -> Any:
    """The area head before this bench (``nlp.heads.area_pipeline`` of that commit)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    from nlp.heads import hashed_tfidf

    smallest = min(Counter(labels).values())
    return Pipeline([
        ("features", ColumnTransformer([
            ("words", hashed_tfidf(2**18, ngram_range=(1, 2)), 0),
            ("chars", hashed_tfidf(2**18, analyzer="char_wb", ngram_range=(4, 4)), 0)])),
        ("clf", CalibratedClassifierCV(LinearSVC(C=c), cv=max(2, min(3, smallest)),
                                       method="sigmoid", ensemble=False)),
    ])


def before(split: Split) -> Predict:
    """``_Trainer.area`` before this bench: 4 settings tried on a 15 % validation split."""
    from nlp.training import stratified_split

    labels = split.labels
    rows = head_input(split.prepared)
    train, val = stratified_split(labels, 0.15, 42)
    train_labels = [labels[i] for i in train]
    best: tuple[float, float] | None = None
    setting = (0.3, 0.5)
    for c, balance in ((0.3, 0.5), (0.1, 0.5), (1.0, 0.5), (0.3, 1.0)):
        model = _before_pipeline(train_labels, c)
        model.fit(rows[train], train_labels,
                  clf__sample_weight=partial_balance(train_labels, balance))
        predicted = model.predict(rows[val])
        report = classification_report([labels[i] for i in val], predicted.tolist())
        score = (report["macro_f1"], report["accuracy"])
        if best is None or score > best:
            best, setting = score, (c, balance)
    final = _before_pipeline(labels, setting[0])
    final.fit(rows, labels, clf__sample_weight=partial_balance(labels, setting[1]))
    return _predictor(final)


def current(split: Split) -> Predict:
    from nlp.table import LabelledTable
    from nlp.training import TrainConfig, _Trainer

    table = LabelledTable(texts=list(split.texts), labels=list(split.labels))
    model, _report, _threshold = _Trainer(TrainConfig(lang=split.lang), None).area(
        list(split.prepared), table)
    return _predictor(model)


def _predictor(model: Any) -> Predict:
    classes = np.asarray(model.classes_)

    def predict(_texts: list[str], prepared: list[Prepared]) -> list[str]:
        proba = model.predict_proba(head_input(prepared))  # what the compiled view serves
        return [str(c) for c in classes[np.argmax(proba, axis=1)]]

    return predict


METHODS: dict[str, Callable[[Split], Predict]] = {
    "reference": reference, "tuned": tuned, "before": before, "current": current,
}
LEMMA_METHODS = {"before", "current"}


# -- running --------------------------------------------------------------------------------

def run(sets: list[str], methods: list[str], seeds: int, shared: Path,
        log: Callable[[str], None]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    loaded: dict[str, tuple[ProxySet, list[Prepared], float]] = {}
    for name in sets:
        loader, noisy = SETS[name]
        base = loader.__name__
        if base not in loaded:
            data = loader(shared)
            start = time.perf_counter()
            prepared = Preparer(data.lang).prepare_many(data.texts)
            loaded[base] = (data, prepared, (time.perf_counter() - start) / len(data.texts))
        data, prepared, per_text = loaded[base]
        log(f"{name}: {len(data.texts)} texts, {len(set(data.labels))} labels, {data.lang}")
        for seed in range(seeds):
            train, test = split_rows(data.labels, seed)
            train_labels = [data.labels[i] for i in train]
            if noisy:
                train_labels = flip_labels(train_labels, NOISE, seed)
            split = Split([data.texts[i] for i in train], [prepared[i] for i in train],
                          train_labels, data.lang, per_text)
            test_texts = [data.texts[i] for i in test]
            test_prepared = [prepared[i] for i in test]
            truth = [data.labels[i] for i in test]
            for method in methods:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # convergence notes of the reference LR
                    predict = METHODS[method](split)
                seconds = time.perf_counter() - start
                if method in LEMMA_METHODS:
                    seconds += per_text * len(train)
                predicted = predict(test_texts, test_prepared)
                report = classification_report(truth, predicted)
                results.append({"set": name, "seed": seed, "method": method,
                                "macro_f1": report["macro_f1"], "accuracy": report["accuracy"],
                                "seconds": round(seconds, 2), "train_rows": len(train),
                                "truth": truth, "predicted": predicted})
                log(f"  seed {seed} {method:10s} macro-F1 {report['macro_f1']:.4f} "
                    f"accuracy {report['accuracy']:.4f} {seconds:6.1f} s")
    return results


def _paired(rows_a: list[dict[str, Any]], rows_b: list[dict[str, Any]] | None,
            key: str, rounds: int = 500) -> tuple[float, float]:
    """95 % bootstrap interval of a method's mean figure over seeds (or of its difference
    from method b's): each round resamples every seed's test rows, the same for both."""
    from sklearn.metrics import accuracy_score, f1_score

    def figure(truth: np.ndarray, pred: np.ndarray) -> float:
        if key == "accuracy":
            return float(accuracy_score(truth, pred))
        return float(f1_score(truth, pred, labels=sorted(set(truth.tolist())), average="macro",
                              zero_division=0))

    rng = np.random.default_rng(0)
    values = []
    for _ in range(rounds):
        per_seed = []
        for k, a in enumerate(rows_a):
            truth = np.asarray(a["truth"])
            pick = rng.integers(0, len(truth), len(truth))
            value = figure(truth[pick], np.asarray(a["predicted"])[pick])
            if rows_b is not None:
                value -= figure(truth[pick], np.asarray(rows_b[k]["predicted"])[pick])
            per_seed.append(value)
        values.append(float(np.mean(per_seed)))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def summary(results: list[dict[str, Any]], sets: list[str], methods: list[str]) -> str:
    """Mean figures over seeds with 95 % bootstrap intervals; ``current - tuned`` too."""
    lines = [f"{'set':16s} {'method':10s} {'macro-F1 [95% CI]':>24s} {'accuracy [95% CI]':>24s}"
             f" {'train s':>8s}"]
    for name in sets:
        by_method: dict[str, list[dict[str, Any]]] = {}
        for method in methods:
            rows = sorted((r for r in results if r["set"] == name and r["method"] == method),
                          key=lambda r: r["seed"])
            if not rows:
                continue
            by_method[method] = rows
            f1 = statistics.mean(r["macro_f1"] for r in rows)
            acc = statistics.mean(r["accuracy"] for r in rows)
            f1_ci, acc_ci = _paired(rows, None, "macro_f1"), _paired(rows, None, "accuracy")
            lines.append(f"{name:16s} {method:10s} {f1:.4f} [{f1_ci[0]:.3f}, {f1_ci[1]:.3f}]"
                         f"   {acc:.4f} [{acc_ci[0]:.3f}, {acc_ci[1]:.3f}]   "
                         f"{statistics.mean(r['seconds'] for r in rows):8.1f}")
        if "current" in by_method and "tuned" in by_method:
            cur, tun = by_method["current"], by_method["tuned"]
            d_f1 = statistics.mean(a["macro_f1"] - b["macro_f1"] for a, b in zip(cur, tun,
                                                                                  strict=True))
            d_acc = statistics.mean(a["accuracy"] - b["accuracy"] for a, b in zip(cur, tun,
                                                                                  strict=True))
            f1_ci, acc_ci = _paired(cur, tun, "macro_f1"), _paired(cur, tun, "accuracy")
            lines.append(f"{name:16s} {'cur-tuned':10s} {d_f1:+.4f} [{f1_ci[0]:+.3f}, "
                         f"{f1_ci[1]:+.3f}]  {d_acc:+.4f} [{acc_ci[0]:+.3f}, {acc_ci[1]:+.3f}]")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed instead of three")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--json", type=Path, default=None, help="also write every result here")
    args = parser.parse_args(argv)
    sets = [s for s in args.sets.split(",") if s]
    methods = [m for m in args.methods.split(",") if m]
    unknown = [s for s in sets if s not in SETS] + [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown set or method: {', '.join(unknown)}")
    seeds = args.seeds or (1 if args.quick else 3)
    results = run(sets, methods, seeds, args.shared, lambda m: print(m, flush=True))
    print()
    print(summary(results, sets, methods))
    if args.json:
        slim = [{k: v for k, v in r.items() if k not in ("truth", "predicted")}
                for r in results]
        args.json.write_text(json.dumps(slim, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
