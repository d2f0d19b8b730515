"""Where a digest goes: e-mail through SMTP, and optionally linked Telegram staff groups.

Each target keeps its own watermark (``digest:last:<area>`` for e-mail,
``digest:last:<area>:telegram`` for Telegram), so one failing never resends the other.
Errors raised here name the failure, never an address or a body.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

import aiosmtplib

from bot.digests.render import build_email, render_text
from bot.storage import FeedbackStore, StaffUser

if TYPE_CHECKING:
    from bot.channels.telegram.links import StaffLinks
    from bot.channels.telegram.sender import TelegramSender
    from bot.digests.config import DigestConfig
    from bot.digests.content import Digest
    from bot.settings import Settings

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A digest did not reach its recipients (safe to log: no address, no body)."""


class DigestTarget(Protocol):
    """One way of delivering digests."""

    name: str  # "" for e-mail (the plain watermark key), else a suffix such as "telegram"

    async def recipients(self, area: str) -> list[str]: ...

    async def deliver(self, digest: Digest, recipients: list[str]) -> None: ...


def covers(user: StaffUser, area: str) -> bool:
    """Digests follow the areas a user lists (an admin gets one only for listed areas)."""
    return user.active and area in user.areas


class EmailTarget:
    """Multipart e-mail through ``SMTP_*``; STARTTLS and login only when configured."""

    name = ""

    def __init__(self, settings: Settings, config: DigestConfig, store: FeedbackStore,
                 *, timeout: float = 30.0) -> None:
        self._settings = settings
        self._config = config
        self._store = store
        self._timeout = timeout

    async def recipients(self, area: str) -> list[str]:
        staff = [u.email for u in await self._store.list_users(area=area) if covers(u, area)]
        return list(dict.fromkeys(staff + list(self._config.extra_recipients(area))))

    async def deliver(self, digest: Digest, recipients: list[str]) -> None:
        s = self._settings
        message = build_email(digest, s.smtp_from, recipients)
        password = s.smtp_password.get_secret_value()
        implicit_tls = s.smtp_port == 465
        try:
            await aiosmtplib.send(
                message, hostname=s.smtp_host, port=s.smtp_port,
                username=s.smtp_user or None, password=password or None,
                use_tls=implicit_tls, start_tls=s.smtp_starttls and not implicit_tls,
                timeout=self._timeout)
        except (aiosmtplib.SMTPException, OSError) as exc:
            code = getattr(exc, "code", None)
            raise DeliveryError(f"SMTP send failed ({type(exc).__name__}"
                                f"{f' {code}' if code else ''})") from None


class TelegramTarget:
    """Post the plain-text digest to every Telegram group linked to the area."""

    name = "telegram"

    def __init__(self, links: StaffLinks, sender: TelegramSender) -> None:
        self._links = links
        self._sender = sender

    async def recipients(self, area: str) -> list[str]:
        return [str(chat_id) for chat_id in await self._links.groups_for(area)]

    async def deliver(self, digest: Digest, recipients: list[str]) -> None:
        text = render_text(digest)
        failed = 0
        for chat_id in recipients:
            try:
                await self._sender.send(int(chat_id), text)
            except Exception:  # SendError or network: count it, report after the loop
                failed += 1
        if failed == len(recipients):
            raise DeliveryError(f"Telegram digest reached none of {failed} group(s)")
        if failed:  # resending would repeat it in the groups that have it
            logger.warning("Telegram digest for %s reached %d of %d group(s)", digest.area,
                           len(recipients) - failed, len(recipients))
