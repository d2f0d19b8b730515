"""Channel adapters: verify, normalise to ``InboundMessage``, and send text out."""

from __future__ import annotations

from bot.channels.base import ChannelSender, InboundMessage, Media, SendError

__all__ = ["ChannelSender", "InboundMessage", "Media", "SendError"]
