"""How many sockets a gateway holds: in all, and per client address (issue 9, point 4).

Every socket costs the process a file descriptor. Without a cap, idle connections fill the file
limit, and then nothing is accepted on any port — `/health` and log-in included. So:

- at start the soft file limit is raised to the hard one (`raise_file_limit`);
- sockets (websocket and polling alike) are capped below it, keeping `FILE_DESCRIPTOR_RESERVE`
  descriptors for REST, `/health`, the database and Redis: past the cap a new socket is refused
  with 503 while everything else keeps answering;
- one client address may hold at most `SOCKETS_PER_ADDRESS` sockets at once (429 past it), so
  one host cannot take the whole cap.
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass, field

from oms.errors import CodedError

log = logging.getLogger(__name__)


def raise_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit; returns the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20  # the kernel's usual fs.nr_open
    if soft == resource.RLIM_INFINITY or soft >= hard:
        return soft if soft != resource.RLIM_INFINITY else hard
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError) as error:  # a container may forbid it; keep what we have
        log.warning("could not raise the open-file limit from %d to %d: %s", soft, hard, error)
        return soft
    return hard


def socket_cap(max_sockets: int, reserve: int) -> int:
    """MAX_SOCKETS, or (0) the open-file limit less the reserve, never less than half of it."""
    if max_sockets:
        return max_sockets
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 20
    return max(soft - reserve, soft // 2)


class CapacityRefusal(CodedError, status=503, code="at_capacity"):
    """Why a new socket may not open; answered as an HTTP refusal of the upgrade or poll."""


AT_CAPACITY = CapacityRefusal("the server holds as many sockets as it may; try again later")
ADDRESS_FULL = CapacityRefusal(
    "too many sockets from this address", status=429, code="too_many_sockets"
)


@dataclass
class SocketCapacity:
    max_sockets: int
    per_address: int
    total: int = 0
    by_address: dict[str, int] = field(default_factory=dict)

    def refusal(self, address: str) -> CapacityRefusal | None:
        """Why a new socket from `address` may not open now, or None."""
        if self.total >= self.max_sockets:
            return AT_CAPACITY
        if self.by_address.get(address, 0) >= self.per_address:
            return ADDRESS_FULL
        return None

    def add(self, address: str) -> None:
        self.total += 1
        self.by_address[address] = self.by_address.get(address, 0) + 1

    def remove(self, address: str) -> None:
        self.total -= 1
        left = self.by_address.get(address, 0) - 1
        if left > 0:
            self.by_address[address] = left
        else:
            self.by_address.pop(address, None)
