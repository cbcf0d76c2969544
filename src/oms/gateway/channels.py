"""Channel names and the one policy that decides who may join which (DESIGN §4, "Channels").

Pure functions: no I/O, so the whole policy is unit-tested as a table. The only fact from the
database a decision needs (does this branch exist?) is passed in by the caller.

Channels are visibility and bookkeeping (they show in /connections and answer the seed's
`joinChannel`); delivery is by recipient (the inbox is the truth), so joining a channel can never
widen what a user receives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from oms.domain.actors import ROLES, Actor
from oms.errors import CodedError

Kind = Literal["user", "role", "branch"]
MAX_NAME_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Channel:
    kind: Kind
    value: str

    @property
    def name(self) -> str:
        return f"{self.kind}.{self.value}"

    @property
    def number(self) -> int | None:
        return int(self.value) if self.kind in ("user", "branch") else None


class Refusal(CodedError, status=403, code="channel_forbidden"):
    """Why a join or leave is refused; answered as the acknowledgement `{ok: false, error}`
    (`oms.errors.refusal_ack`). Never raised: the policy returns one."""


UNKNOWN = Refusal("no such channel", code="unknown_channel", status=404)
FORBIDDEN = Refusal("you may not join this channel")
OWN_CHANNEL = Refusal("the server keeps you in your own channels", code="own_channel")
NOT_JOINED = Refusal("you are not in this channel", code="not_joined")


def parse(name: object) -> Channel | None:
    """`user.{id}`, `role.{role}` or `branch.{id}`; anything else is unknown (None)."""
    if not isinstance(name, str) or len(name) > MAX_NAME_LENGTH:
        return None
    kind, dot, value = name.partition(".")
    if not dot:
        return None
    if kind in ("user", "branch"):
        # Canonical decimal only: `branch.01` or `branch.+1` would alias `branch.1`.
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            return None
        if str(int(value)) != value:
            return None
        return Channel(kind, value)  # type: ignore[arg-type]
    if kind == "role" and value in ROLES:
        return Channel("role", value)
    return None


def own_channels(actor: Actor) -> frozenset[str]:
    """Where the server itself puts a socket on connect."""
    names = {f"user.{actor.id}", f"role.{actor.role}"}
    if actor.role in ("staff", "optometrist"):
        names.update(f"branch.{branch_id}" for branch_id in actor.branch_ids)
    return frozenset(names)


def join_refusal(actor: Actor, channel: Channel | None, *, branch_exists: bool) -> Refusal | None:
    """None when `actor` may join `channel`; else why not.

    admins: any existing branch and any role; staff and optometrists: their own branches;
    customers: nothing beyond their own channels. Nobody joins another user's channel.
    """
    if channel is None:
        return UNKNOWN
    if channel.name in own_channels(actor):
        return None
    if channel.kind == "user":
        return FORBIDDEN
    if channel.kind == "branch" and not branch_exists:
        return UNKNOWN if actor.is_admin else FORBIDDEN
    if actor.is_admin:
        return None
    return FORBIDDEN


def leave_refusal(actor: Actor, channel: Channel | None, joined: frozenset[str]) -> Refusal | None:
    if channel is None:
        return UNKNOWN
    if channel.name in own_channels(actor):
        return OWN_CHANNEL
    if channel.name not in joined:
        return NOT_JOINED
    return None
