"""The web layer: HTTP routes (citizen web channel, staff JSON API), bearer-token
authentication and the JSON error handlers."""
