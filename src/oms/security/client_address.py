"""The client's address, the same way for REST and sockets.

`X-Forwarded-For` is believed only from a proxy listed in TRUSTED_PROXIES: anyone can send the
header, so from anyone else it would let a client pick the address its rate limits count against.
The chain is read from the right (the hop nearest to us) and the first address that is not one of
our proxies is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from oms.networks import Network


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    """The address a request or socket comes from; `peer` is the TCP peer's host."""
    address = peer or "unknown"
    if not forwarded_for or not _trusted(address, proxies):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # garbage in the chain: the last proxy we trust is all we know
        address = hop
        if not _trusted(hop, proxies):
            return hop
    return address
