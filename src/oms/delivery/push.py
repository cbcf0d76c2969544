"""Web Push: the encrypted payload (RFC 8291, via pywebpush) signed with our VAPID key, and what
a push service's answer means. Mastodon's rule: a 4xx other than 408/429 means the subscription is
gone or refused for good (delete it, fail the delivery); 408, 429 and 5xx are worth retrying."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import orjson

from oms.config import Settings
from oms.delivery.claims import SENT, Claimed, Outcome
from oms.delivery.links import item_url
from oms.delivery.subscriptions import is_public_address, local_receiver_allowed
from oms.delivery.vapid import VapidKeys
from oms.delivery.visit_links import VisitLinks

if TYPE_CHECKING:
    import aiohttp

MAX_PAYLOAD_BYTES = 3 * 1024
PUSH_TIMEOUT_SECONDS = 15.0
# How long a push service keeps a message for a device that is offline.
PUSH_TTL_SECONDS = 24 * 3600
VAPID_LIFETIME_SECONDS = 12 * 3600


@dataclass(frozen=True, slots=True)
class Target:
    id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True, slots=True)
class PushResult:
    outcome: Outcome
    # Subscriptions the push service says are gone: the caller deletes them.
    gone: tuple[int, ...]


def push_payload(settings: Settings, claimed: Claimed, visit: VisitLinks | None = None) -> bytes:
    """`visit`: a reminder's links; its push then opens the confirm page (which also says how
    to cancel), and carries both links for a client that offers them as actions."""
    payload = claimed.payload
    default_url = item_url(
        settings.public_url, claimed.event_name, payload, claimed.notification_id
    )
    body: dict[str, Any] = {
        "title": str(payload.get("title", ""))[:200],
        "message": str(payload.get("message", "")),
        "level": payload.get("level", "info"),
        "url": visit.confirm if visit else default_url,
        "event": claimed.event_name,
        "event_id": payload.get("event_id"),
    }
    if visit:
        body["links"] = {"confirm": visit.confirm, "cancel": visit.cancel}
    encoded = orjson.dumps(body)
    if len(encoded) > MAX_PAYLOAD_BYTES:  # shorten the message, never drop the link
        spare = len(encoded) - MAX_PAYLOAD_BYTES + 3
        body["message"] = body["message"][: max(len(body["message"]) - spare * 2, 0)] + "…"
        encoded = orjson.dumps(body)
    return encoded


def classify_status(status: int) -> Outcome:
    if 200 <= status < 300:
        return SENT
    if status in (408, 429) or status >= 500:
        return Outcome("retry", f"push service answered {status}")
    return Outcome("failed", f"push service answered {status}")


async def _resolves_publicly(endpoint: str) -> bool:
    parsed = urlparse(endpoint)
    host = parsed.hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, parsed.port or 443, type=socket.SOCK_STREAM
        )
    except OSError:
        return True  # unresolvable: the POST fails on its own and is retried
    return all(is_public_address(str(info[4][0])) for info in infos)


class PushSender:
    def __init__(self, settings: Settings, keys: VapidKeys) -> None:
        self.settings = settings
        self.keys = keys
        self._session: aiohttp.ClientSession | None = None
        # Signed VAPID headers per push service origin, with their expiry: one ECDSA signature
        # per service per hours, not per message.
        self._signed: dict[str, tuple[dict[str, str], int]] = {}

    def _vapid(self, audience: str) -> dict[str, str]:
        now = int(time.time())
        cached = self._signed.get(audience)
        if cached is None or cached[1] - now < VAPID_LIFETIME_SECONDS // 2:
            expires = now + VAPID_LIFETIME_SECONDS
            cached = (self.keys.headers(audience, self.settings.vapid_subject, expires), expires)
            self._signed[audience] = cached
        return cached[0]

    def _http(self) -> aiohttp.ClientSession:
        import aiohttp  # imported on the first push: see _post

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _post(self, target: Target, data: bytes, headers: dict[str, str]) -> Outcome:
        if not local_receiver_allowed(
            target.endpoint, self.settings.app_env
        ) and not await _resolves_publicly(target.endpoint):
            return Outcome("failed", "push endpoint resolves to a private address")
        # Imported on the first push, not at start: aiohttp and pywebpush cost `oms api` and
        # `oms worker` ~0.3 s of CPU at every start, and most deployments send no Web Push.
        import aiohttp
        from pywebpush import WebPusher

        parsed = urlparse(target.endpoint)
        vapid = self._vapid(f"{parsed.scheme}://{parsed.netloc}")
        pusher = WebPusher(
            {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
            aiohttp_session=self._http(),
        )
        try:
            response = await pusher.send_async(
                data,
                {**headers, **vapid},
                ttl=PUSH_TTL_SECONDS,
                timeout=aiohttp.ClientTimeout(total=PUSH_TIMEOUT_SECONDS),
            )
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            return Outcome("retry", f"{type(error).__name__}: {error}")
        assert isinstance(response, aiohttp.ClientResponse)
        response.release()
        return classify_status(response.status)

    async def send(
        self, claimed: Claimed, targets: list[Target], visit: VisitLinks | None = None
    ) -> PushResult:
        """Send to each of the user's devices. Sent when any device's service took it (a retry
        would show it again on those); failures of the others are kept in the reason."""
        if not targets:
            return PushResult(Outcome("skipped", "no device is subscribed any more"), ())
        data = push_payload(self.settings, claimed, visit)
        urgent = claimed.event_name in ("notification.urgent", "appointment.reminder")
        headers = {
            "Urgency": "high" if urgent else "normal",
            # The same topic on every attempt: a push service replaces an undelivered copy.
            "Topic": f"oms-delivery-{claimed.id}",
        }
        outcomes = await asyncio.gather(*(self._post(t, data, headers) for t in targets))
        gone = tuple(t.id for t, o in zip(targets, outcomes, strict=True) if o.status == "failed")
        if any(o.status == "sent" for o in outcomes):
            return PushResult(SENT, gone)
        reasons = "; ".join(sorted({o.reason or "" for o in outcomes}))
        retry = any(o.status == "retry" for o in outcomes)
        return PushResult(Outcome("retry" if retry else "failed", reasons), gone)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
