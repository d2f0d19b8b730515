"""Optionally keep a copy of MMS media (``SMS_DOWNLOAD_MEDIA``, off by default).

The report always keeps the media URLs. When downloading is on, each item is fetched with
the account's credentials (Twilio media URLs may require them) into
``DATA_DIR/sms_media/<MessageSid>-<n>``, streamed and abandoned once it passes
``SMS_MEDIA_MAX_BYTES``, so a large or hostile file cannot fill the disk.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

import httpx

from bot.channels.base import Media
from bot.private_files import write_private

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20.0


class MediaFetcher:
    """Downloads MMS media with a size limit; see the module docstring."""

    def __init__(self, folder: Path, max_bytes: int, auth: tuple[str, str] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._auth = auth
        self._transport = transport

    async def fetch(self, message_sid: str, media: Sequence[Media]) -> list[Path]:
        """Download each item; return the files kept (too large or failed ones are skipped)."""
        kept: list[Path] = []
        safe_sid = "".join(c for c in message_sid if c.isalnum())[:64] or "message"
        async with httpx.AsyncClient(auth=self._auth, timeout=TIMEOUT_SECONDS,
                                     follow_redirects=True,
                                     transport=self._transport) as client:
            for n, item in enumerate(media):
                path = self.folder / f"{safe_sid}-{n}"
                try:
                    if await self._download(client, item.value, path):
                        kept.append(path)
                except (httpx.HTTPError, OSError) as exc:
                    logger.warning("MMS media %d of a message not downloaded (%s)", n,
                                   type(exc).__name__)
                    path.unlink(missing_ok=True)
        return kept

    async def _download(self, client: httpx.AsyncClient, url: str, path: Path) -> bool:
        async with client.stream("GET", url) as response:
            response.raise_for_status()
            declared = int(response.headers.get("Content-Length") or 0)
            data = bytearray()
            if declared <= self.max_bytes:
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > self.max_bytes:
                        break
        if declared > self.max_bytes or len(data) > self.max_bytes:
            logger.info("MMS media over the size limit; not downloaded")
            return False
        await asyncio.to_thread(self._write, path, bytes(data))
        return True

    def _write(self, path: Path, data: bytes) -> None:
        write_private(path, data)
