"""Digest settings parsed from their one-line forms: recipients, schedules and targets.

* ``DIGEST_RECIPIENTS``: extra e-mail addresses per area, beside the staff accounts that
  list the area. JSON (``{"roads": ["a@x.org"], "*": ["chief@x.org"]}``) or the short form
  ``roads:a@x.org,b@x.org;*:chief@x.org``. ``*`` means every area.
* ``DIGEST_SCHEDULE``: when each area's digest goes out, ``roads=mon-fri 07:30;*=daily 08:00``.
  Days are ``daily`` or a cron day-of-week list (``mon-fri``, ``sat,sun``); ``*`` is every
  area without its own entry. Default ``*=daily 08:00`` in ``DIGEST_TIMEZONE`` (local time).
* ``DIGEST_TARGET_DAYS``: days an open report may stay open before it is overdue,
  ``default=7;roads=3``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from bot.settings import ConfigError

ANY_AREA = "*"
DEFAULT_SCHEDULE = "daily 08:00"
DEFAULT_TARGET_DAYS = 7.0
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DAYS = re.compile(r"^[a-z0-9,\-*]+$")


def _pairs(raw: str, sep: str) -> list[tuple[str, str]]:
    pairs = []
    for part in raw.split(";"):
        if not part.strip():
            continue
        key, found, value = part.partition(sep)
        if not found or not key.strip():
            raise ConfigError(f"expected 'area{sep}value' in {part.strip()!r}")
        pairs.append((key.strip(), value.strip()))
    return pairs


def parse_recipients(raw: str) -> dict[str, tuple[str, ...]]:
    """Return extra addresses per area code (``*`` for every area) from DIGEST_RECIPIENTS."""
    raw = raw.strip()
    if not raw:
        return {}
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"DIGEST_RECIPIENTS is not valid JSON ({exc.msg})") from None
        items = [(str(k), v if isinstance(v, list) else [v]) for k, v in data.items()]
        pairs = [(k, ",".join(str(a) for a in v)) for k, v in items]
    else:
        pairs = _pairs(raw, ":")
    found: dict[str, tuple[str, ...]] = {}
    for area, addresses in pairs:
        cleaned = [a.strip() for a in addresses.split(",") if a.strip()]
        for address in cleaned:
            if "@" not in address or any(c.isspace() for c in address):
                raise ConfigError(f"DIGEST_RECIPIENTS for {area!r} holds a non-address")
        found[area] = tuple(dict.fromkeys(found.get(area, ()) + tuple(cleaned)))
    return found


@dataclass(frozen=True, slots=True)
class Schedule:
    """A cron day-of-week expression and a time of day."""

    day_of_week: str
    hour: int
    minute: int


def parse_schedule_spec(spec: str) -> Schedule:
    """Parse ``daily 08:00`` or ``mon-fri 07:30``."""
    parts = spec.lower().split()
    if len(parts) != 2 or not _TIME.match(parts[1]) or not _DAYS.match(parts[0]):
        raise ConfigError(f"DIGEST_SCHEDULE entry {spec!r}: expected 'DAYS HH:MM'")
    days = "*" if parts[0] == "daily" else parts[0]
    hour, minute = parts[1].split(":")
    return Schedule(days, int(hour), int(minute))


def parse_schedules(raw: str) -> dict[str, Schedule]:
    """Return the schedule per area code; ``*`` always has one."""
    found = {area: parse_schedule_spec(spec) for area, spec in _pairs(raw, "=")}
    found.setdefault(ANY_AREA, parse_schedule_spec(DEFAULT_SCHEDULE))
    return found


def parse_targets(raw: str) -> tuple[timedelta, dict[str, timedelta]]:
    """Return the default target and the per-area targets from DIGEST_TARGET_DAYS."""
    default = timedelta(days=DEFAULT_TARGET_DAYS)
    per_area: dict[str, timedelta] = {}
    for area, value in _pairs(raw, "="):
        try:
            days = float(value)
        except ValueError:
            raise ConfigError(f"DIGEST_TARGET_DAYS for {area!r} is not a number") from None
        if days <= 0:
            raise ConfigError(f"DIGEST_TARGET_DAYS for {area!r} must be positive")
        if area in ("default", ANY_AREA):
            default = timedelta(days=days)
        else:
            per_area[area] = timedelta(days=days)
    return default, per_area


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """Everything the digests read from ``Settings``, parsed once."""

    recipients: dict[str, tuple[str, ...]]
    schedules: dict[str, Schedule]
    default_target: timedelta
    targets: dict[str, timedelta]
    base_url: str
    timezone: str = ""

    @classmethod
    def parse(cls, *, recipients: str = "", schedule: str = "", target_days: str = "",
              base_url: str = "", timezone: str = "") -> DigestConfig:
        default, targets = parse_targets(target_days)
        return cls(parse_recipients(recipients), parse_schedules(schedule), default, targets,
                   base_url.rstrip("/"), timezone)

    def target_for(self, area: str) -> timedelta:
        return self.targets.get(area, self.default_target)

    def extra_recipients(self, area: str) -> tuple[str, ...]:
        both = self.recipients.get(area, ()) + self.recipients.get(ANY_AREA, ())
        return tuple(dict.fromkeys(both))

    def schedule_for(self, area: str) -> Schedule:
        return self.schedules.get(area, self.schedules[ANY_AREA])
