"""Join a long SMS that arrives in parts, one webhook per part.

Twilio joins concatenated SMS itself when the carrier lets it; some carriers deliver the
parts one by one, each with its own ``MessageSid``. The rule used here:

* A part is suspected when its text fills one concatenation segment exactly (153 GSM-7
  septets or 67 UCS-2 units, ``inbound.looks_like_part``): every part but the last is.
* Each part is stored and handled as soon as it arrives (store first, so a crash or a
  retried ``MessageSid`` behaves as for any message). A part that follows a suspected part
  from the same number within ``window`` seconds is marked as belonging to it (passed
  with ``edited=True``), so the conversation adds it to the report the first part filed.
* The citizen gets one answer for the whole text: the first part's reply is held; the
  last part's webhook answers with it. If no further part comes within ``window``
  seconds, the held reply is sent through the outbox instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Held:
    """The first part's answer, waiting for the rest of the message."""

    reply: str | None
    action: str
    urgent: bool
    until: float
    generation: int


class PartJoiner:
    """Per sender pseudonym: the held answer of a message still arriving in parts."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._held: dict[str, Held] = {}
        self._generation = 0

    def continues(self, key: str) -> bool:
        """Return True if a part from ``key`` is still expecting its continuation."""
        held = self._held.get(key)
        return held is not None and held.until >= self._clock()

    def hold(self, key: str, reply: str | None, action: str, urgent: bool) -> int:
        """Hold the answer for a suspected part (keeping the first part's); return its token."""
        self._generation += 1
        earlier = self._held.get(key) if self.continues(key) else None
        if earlier is not None:
            reply, action = earlier.reply, earlier.action
            urgent = urgent or earlier.urgent
        self._held[key] = Held(reply, action, urgent, self._clock() + self.window,
                               self._generation)
        return self._generation

    def release(self, key: str, generation: int | None = None) -> Held | None:
        """Take the held answer (only if it is still ``generation``'s, when given)."""
        held = self._held.get(key)
        if held is None or (generation is not None and held.generation != generation):
            return None
        del self._held[key]
        return held

    def pending(self) -> list[str]:
        """Return the keys with an answer still held."""
        return list(self._held)
