"""Read a verified Twilio webhook form as an ``InboundMessage``.

``MessageSid`` is the channel message id, so a retried webhook files nothing twice.
MMS media (``NumMedia``, ``MediaUrlN``, ``MediaContentTypeN``) become ``Media`` of kind
``media_url``: the URL is kept, never the bytes. ``OptOutType`` (``STOP``, ``START``,
``HELP``) is what Twilio's Advanced Opt-Out recognised; Twilio has then answered the
citizen itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from bot.channels.base import InboundMessage, Media
from handlers.gsm7 import PART_GSM7, PART_UCS2, gsm7_length, is_gsm7

CHANNEL = "sms"
MAX_MEDIA = 10  # Twilio delivers at most ten media items per MMS
OPT_OUT_TYPES = frozenset({"STOP", "START", "HELP"})


class BadForm(ValueError):
    """A signed request that is not an inbound message (no ``MessageSid`` or ``From``)."""


def media_of(form: Mapping[str, str]) -> tuple[Media, ...]:
    """Return the MMS media items a webhook form lists, in order."""
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError:
        return ()
    items = []
    for n in range(min(max(count, 0), MAX_MEDIA)):
        url = (form.get(f"MediaUrl{n}") or "").strip()
        if url.startswith(("https://", "http://")):
            items.append(Media("media_url", url, form.get(f"MediaContentType{n}") or None))
    return tuple(items)


def opt_out_type(form: Mapping[str, str]) -> str | None:
    """Return ``STOP``, ``START`` or ``HELP`` when Twilio's opt-out handling recognised one."""
    value = (form.get("OptOutType") or "").strip().upper()
    return value if value in OPT_OUT_TYPES else None


def to_inbound(form: Mapping[str, str], now: datetime | None = None) -> InboundMessage:
    """Return the message a Twilio inbound-SMS webhook carries."""
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    sender = (form.get("From") or "").strip()
    if not sid or not sender:
        raise BadForm("MessageSid and From are required")
    return InboundMessage(
        channel=CHANNEL, sender=sender, channel_message_id=sid,
        text=form.get("Body") or "", received_at=now or datetime.now(UTC),
        media=media_of(form),
    )  # fmt: skip


def looks_like_part(text: str) -> bool:
    """Return True if ``text`` fills one part of a split SMS exactly (153 GSM-7 / 67 UCS-2).

    Twilio joins a concatenated SMS before calling the webhook when the carrier lets it;
    when parts arrive one by one, every part but the last is exactly this long, which an
    ordinary message almost never is.
    """
    if is_gsm7(text):
        return gsm7_length(text) == PART_GSM7
    return len(text.encode("utf-16-le")) // 2 == PART_UCS2
