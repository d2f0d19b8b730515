"""TwiML answers to Twilio's inbound webhook (``text/xml``)."""

from __future__ import annotations

from starlette.responses import Response
from twilio.twiml.messaging_response import MessagingResponse

CONTENT_TYPE = "text/xml"


def twiml(reply: str | None = None) -> Response:
    """Return a TwiML response sending ``reply``, or an empty one when it is None."""
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(content=str(response), media_type=CONTENT_TYPE)
