"""What the outbox keeps of a failed send: a short classified reason, never a secret."""

from __future__ import annotations

from bot.channels.base import SendError
from bot.outbox import Outbox, stored_reason
from bot.security import AddressCipher, pseudonymise
from bot.storage import MEMORY, OutboundStatus, SQLiteStore

KEY = "o" * 40
SID = "AC0123456789abcdef0123456789abcdef"
URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"


class BrokenSender:
    """A channel whose library fails with everything in its message."""

    channel = "sms"

    async def send_text(self, address: str, text: str) -> str | None:
        raise RuntimeError(f"POST {URL} failed for {address} with token 123456:{'x' * 35}")


async def test_an_unexpected_failure_is_stored_as_its_type_only() -> None:
    async with SQLiteStore(MEMORY) as store:
        phone = "+447700900123"
        citizen = await store.get_or_create_citizen(
            "sms", pseudonymise(KEY, "sms", phone), AddressCipher(KEY).encrypt(phone))
        outbound_id = await store.enqueue_outbound(citizen.id, "sms", "Your report is fixed")
        await Outbox(store, {"sms": BrokenSender()}, KEY).run_once()
        record = await store.get_outbound(outbound_id)
    assert record is not None and record.status is OutboundStatus.QUEUED  # retried later
    assert record.last_error == "unexpected RuntimeError"


def test_channel_reasons_are_kept_but_scrubbed() -> None:
    assert stored_reason(SendError("twilio error 21211")) == "twilio error 21211"
    scrubbed = stored_reason(SendError(f"refused at {URL} for {SID} to +44 7700 900123"))
    assert scrubbed == "refused at [url] for [sid] to [number]"
    assert len(stored_reason(SendError("x" * 5000))) == 200
