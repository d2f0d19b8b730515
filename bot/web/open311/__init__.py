"""CivicVoice as an Open311 GeoReport v2 endpoint, under ``/open311/v2/``.

``routes`` serves the spec's calls, ``params`` reads and checks their arguments, ``views``
maps reports and service areas to the spec's values, ``render`` writes JSON or XML, and
``intake`` files a ``POST requests`` through the conversation, as every channel does.
"""

from __future__ import annotations

from bot.web.open311.routes import router

__all__ = ["router"]
