"""The SMS channel (Twilio): verified webhooks in, TwiML or REST replies out.

``start_sms`` wires it into a running app when ``TWILIO_ACCOUNT_SID`` and
``TWILIO_AUTH_TOKEN`` are set: the ``TwilioSender`` joins the outbox and the routes of
``bot.web.sms_routes`` are served. Otherwise it says once that the channel is off.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from bot.channels.sms.channel import SmsChannel, SmsOptions
from bot.channels.sms.media import MediaFetcher
from bot.channels.sms.sender import TwilioSender, build_client
from bot.security import pseudonymise
from bot.services import Services
from bot.settings import Settings

__all__ = ["STATUS_PATH", "SmsChannel", "TwilioSender", "start_sms", "stop_sms"]

logger = logging.getLogger(__name__)

STATUS_PATH = "/sms/twilio/status"


def start_sms(app: FastAPI, settings: Settings, services: Services) -> SmsChannel | None:
    """Add the SMS sender to the outbox and serve the SMS routes; None when SMS is off."""
    if not settings.sms_enabled:
        logger.info("SMS channel off (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN not set)")
        return None
    if not (settings.twilio_from_number or settings.twilio_messaging_service_sid):
        logger.warning("SMS channel off: set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        return None
    from bot.web import sms_routes  # the web layer imports this package, not the reverse

    token = settings.twilio_auth_token.get_secret_value()
    secret = settings.secret
    base = settings.public_base_url
    sender = TwilioSender(
        build_client(settings.twilio_account_sid, token, settings.twilio_api_base_url),
        from_number=settings.twilio_from_number,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        status_callback=base + STATUS_PATH if base.startswith("https://") else "",
        rate_per_second=settings.sms_send_rate_per_second,
        daily_cap=settings.sms_daily_cap,
        address_key=lambda address: pseudonymise(secret, "sms", address),
    )  # fmt: skip
    if services.outbox is not None:
        services.outbox.add_sender(sender)
    media = None
    if settings.sms_download_media:
        media = MediaFetcher(settings.data_dir / "sms_media", settings.sms_media_max_bytes,
                             auth=(settings.twilio_account_sid, token))
    options = SmsOptions(
        auth_token=token, public_base_url=base,
        reply_timeout=settings.sms_reply_timeout_seconds,
        join_seconds=settings.sms_join_seconds, daily_cap=settings.sms_daily_cap,
    )  # fmt: skip
    if not getattr(app.state, "sms_routes", False):
        app.include_router(sms_routes.router)
        app.state.sms_routes = True
    logger.info("SMS channel on")
    return SmsChannel(services, options, media)


async def stop_sms(channel: SmsChannel | None) -> None:
    """Send held replies and let running handlers finish."""
    if channel is not None:
        await channel.stop()
