"""Who is calling: the client's address, believing ``X-Forwarded-For`` only from our proxies.

Behind a reverse proxy every request comes from the proxy's address, and the proxy names
the real client in ``X-Forwarded-For``. A client can write that header too, so it is read
only when the request arrived from an address in ``TRUSTED_PROXIES``, and then from the
right: the first address that is not one of our proxies is the client.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from fastapi import Request

Networks = Sequence[IPv4Network | IPv6Network]
UNKNOWN = "unknown"


def _trusted(address: str, proxies: Networks) -> bool:
    try:
        parsed = ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in proxies)


def forwarded_client(peer: str, forwarded_for: str | None, proxies: Networks) -> str:
    """Return the client behind ``peer``, given its ``X-Forwarded-For`` header."""
    if not forwarded_for or not _trusted(peer, proxies):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(hop, proxies):
            try:
                return str(ip_address(hop))
            except ValueError:
                return UNKNOWN  # a proxy of ours passed on garbage: trust none of it
    return peer


def client_address(request: Request) -> str:
    """Return the calling client's address (see the module's note on proxies)."""
    peer = request.client.host if request.client else UNKNOWN
    proxies: Networks = request.app.state.services.settings.proxies
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    return forwarded_client(peer, forwarded, proxies)
