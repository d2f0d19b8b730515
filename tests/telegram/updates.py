"""Update JSON as the Bot API sends it (shapes copied from real webhook deliveries)."""

from __future__ import annotations

import itertools
import time
from typing import Any

_update_ids = itertools.count(500_000_001)
_message_ids = itertools.count(1)


def user(user_id: int, first_name: str = "Ada") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def private_chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "first_name": "Ada", "type": "private"}


def group_chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "title": "Roads team", "type": "supergroup"}


def message(chat_id: int, *, text: str | None = None, from_id: int | None = None,
            group: bool = False, update_id: int | None = None, edited: bool = False,
            **content: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_message_ids), "from": user(from_id or chat_id),
        "chat": group_chat(chat_id) if group else private_chat(chat_id),
        "date": int(time.time()),
    }
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            body["entities"] = [{"offset": 0, "length": len(text.split()[0]),
                                 "type": "bot_command"}]
    if edited:
        body["edit_date"] = int(time.time())
    body.update(content)
    key = "edited_message" if edited else "message"
    return {"update_id": update_id or next(_update_ids), key: body}


def photo(chat_id: int, caption: str | None = None) -> dict[str, Any]:
    sizes = [
        {"file_id": "AgACAgQAAxkBAAIBsmall", "file_unique_id": "AQADs", "file_size": 1200,
         "width": 90, "height": 67},
        {"file_id": "AgACAgQAAxkBAAIBlarge", "file_unique_id": "AQADl", "file_size": 90500,
         "width": 1280, "height": 960},
        {"file_id": "AgACAgQAAxkBAAIBmedium", "file_unique_id": "AQADm", "file_size": 21000,
         "width": 320, "height": 240},
    ]
    extra: dict[str, Any] = {"photo": sizes}
    if caption:
        extra["caption"] = caption
    return message(chat_id, **extra)


def location(chat_id: int, latitude: float = 51.5072, longitude: float = -0.1276
             ) -> dict[str, Any]:
    return message(chat_id, location={"latitude": latitude, "longitude": longitude})


def sticker(chat_id: int, group: bool = False) -> dict[str, Any]:
    return message(chat_id, group=group, from_id=4242 if group else None, sticker={
        "file_id": "CAACAgIAAxkBAAIBsticker", "file_unique_id": "AgADst", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"})


def callback(from_id: int, chat_id: int, data: str, text: str = "Report") -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cbq-{next(_message_ids)}", "from": user(from_id, "Sam"),
            "chat_instance": "-8391", "data": data,
            "message": {"message_id": next(_message_ids), "from": {
                "id": 123456, "is_bot": True, "first_name": "CivicVoice"},
                "chat": group_chat(chat_id) if chat_id < 0 else private_chat(chat_id),
                "date": int(time.time()), "text": text},
        },
    }
