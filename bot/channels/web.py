"""The web channel: the try-it page and any web form post JSON; replies come back inline.

Messages staff send later (status changes, replies) stay in the outbound table, where the
page polls for them; "sending" one only marks it ready.
"""

from __future__ import annotations

import secrets

CHANNEL = "web"


class WebSender:
    """Outbound for the web channel: the stored message is the delivery."""

    channel = CHANNEL

    async def send_text(self, address: str, text: str) -> str | None:
        return f"web-{secrets.token_hex(8)}"
