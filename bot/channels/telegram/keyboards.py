"""Inline keyboards and their callback data (at most 64 bytes, e.g. ``s:to:CV-7K3P2:waste``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.channels.telegram import texts

CITIZEN, STAFF = "c", "s"
CONFIRM, CHANGE, SET = "ok", "chg", "set"
TAKE, RESOLVE, ROUTE, TO = "take", "done", "route", "to"
_MAX_DATA = 64


@dataclass(frozen=True, slots=True)
class Press:
    """A decoded button press: who it is for, what, which report, and an area if any."""

    scope: str
    action: str
    reference: str
    area: str = ""


def data(scope: str, action: str, reference: str, area: str = "") -> str:
    value = ":".join(p for p in (scope, action, reference, area) if p)
    if len(value.encode()) > _MAX_DATA:
        raise ValueError("callback data too long")
    return value


def parse(value: str | None) -> Press | None:
    """Return the press ``value`` encodes, or None for anything else."""
    parts = (value or "").split(":")
    if len(parts) not in (3, 4) or parts[0] not in (CITIZEN, STAFF):
        return None
    return Press(*parts)


def citizen_area(reference: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.CONFIRM_AREA, callback_data=data(CITIZEN, CONFIRM, reference)),
        InlineKeyboardButton(texts.CHANGE_AREA, callback_data=data(CITIZEN, CHANGE, reference)),
    ]])


def area_choices(scope: str, reference: str, areas: Iterable[tuple[str, str]]
                 ) -> InlineKeyboardMarkup:
    """Return one button per ``(code, label)``, two to a row."""
    action = SET if scope == CITIZEN else TO
    buttons = [InlineKeyboardButton(label, callback_data=data(scope, action, reference, code))
               for code, label in areas]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def share_location() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup([[KeyboardButton(texts.SHARE_LOCATION, request_location=True)]],
                               one_time_keyboard=True, resize_keyboard=True)


def staff_actions(reference: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.TAKE, callback_data=data(STAFF, TAKE, reference)),
        InlineKeyboardButton(texts.RESOLVE, callback_data=data(STAFF, RESOLVE, reference)),
        InlineKeyboardButton(texts.REROUTE, callback_data=data(STAFF, ROUTE, reference)),
    ]])
