"""One coded error family, one renderer (issue 14 point 4): a REST answer, a socket.io CONNECT
refusal (the Python and the JS client), a refused join and an HTTP refusal of a socket all carry
the same `{"code", "message", "details"}` object, rendered by `oms.errors.error_object`."""

from __future__ import annotations

from typing import Any, get_type_hints

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from oms.domain.errors import InvalidField, NotFound, RateLimited
from oms.errors import CodedError, ErrorObject, connect_refusal, error_object, refusal_ack
from oms.gateway import channels
from oms.gateway.capacity import ADDRESS_FULL, AT_CAPACITY
from oms.gateway.polling import PacketRefused
from oms.runtime import Runtime
from oms.security.appointment_links import InvalidLink, LinkExpired
from oms.security.tokens import TokenError, TokenRevoked
from tests.gateway.conftest import LiveGateway, start_live_gateway
from tests.gateway.probes import Probe
from tests.gateway.scenario import Chain

FIELDS = set(get_type_hints(ErrorObject))


def _shape(error: Any) -> dict[str, type]:
    assert isinstance(error, dict)
    assert set(error) == FIELDS, error
    return {name: type(value) for name, value in error.items()}


ONE_SHAPE = {"code": str, "message": str, "details": dict}


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFound("no such appointment"), 404, "not_found"),
        (InvalidField("date", "must be a weekday"), 422, "validation_error"),
        (RateLimited(7), 429, "rate_limited"),
        (TokenError("the access token is not valid"), 401, "invalid_token"),
        (TokenError("an access token is required", code="auth_required"), 401, "auth_required"),
        (TokenRevoked(), 401, "token_revoked"),
        (InvalidLink("this link is not valid"), 403, "invalid_link"),
        (LinkExpired("this link expired"), 410, "link_expired"),
        (channels.FORBIDDEN, 403, "channel_forbidden"),
        (channels.UNKNOWN, 404, "unknown_channel"),
        (AT_CAPACITY, 503, "at_capacity"),
        (ADDRESS_FULL, 429, "too_many_sockets"),
        (PacketRefused("packet before CONNECT"), 400, "bad_request"),
    ],
)
def test_every_refusal_is_a_coded_error(error: CodedError, status: int, code: str) -> None:
    assert isinstance(error, CodedError)
    assert (error.status, error.code) == (status, code)
    rendered = error_object(error)
    assert _shape(rendered) == ONE_SHAPE
    assert rendered == {"code": code, "message": error.message, "details": error.details}
    # Each path wraps the one object and adds nothing to it.
    assert refusal_ack(error) == {"ok": False, "error": rendered}
    refused = connect_refusal(error)
    assert refused["data"] == rendered
    assert {key: refused[key] for key in FIELDS} == rendered


async def test_rest_and_socket_errors_reach_clients_in_one_shape(
    live: LiveGateway, chain: Chain
) -> None:
    # REST (the gateway's own HTTP routes install the same handlers as the API).
    async with live.http() as http:
        response = await http.get("/connections")
    assert response.status_code == 401
    rest = response.json()["error"]
    assert rest["code"] == "not_authenticated"

    # socket.io CONNECT refusal, as the Python client reads the packet.
    python_refusal = await Probe().refused(live.url, "not.a.jwt")
    invalid = error_object(TokenError("the access token is not valid"))
    assert python_refusal["data"] == invalid
    assert {key: python_refusal[key] for key in FIELDS} == invalid

    # ... and as the JS client exposes it (`err.data`).
    node = await live.node(None)
    node_refusal = await node.wait_type("connect_error")
    assert node_refusal["data"] == error_object(TokenError("x", code="auth_required")) | {
        "message": node_refusal["message"]
    }

    # A refused join's acknowledgement.
    socket = await live.probe(chain.customer.token)
    ack = await socket.call("join", f"branch.{chain.north.id}")
    assert ack == refusal_ack(channels.FORBIDDEN)

    for error in (rest, python_refusal["data"], node_refusal["data"], ack["error"]):
        assert _shape(error) == ONE_SHAPE


async def test_an_http_refusal_of_a_socket_is_the_rest_body(runtime: Runtime) -> None:
    """Past the socket cap, websocket and polling clients get the REST error body (not the
    websockets package's plain text)."""
    live = await start_live_gateway(runtime, max_sockets=1)
    url = live.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    try:
        async with connect(url, open_timeout=10) as held:  # the one socket the cap allows
            await held.recv()  # its engine.io OPEN: counted from here on
            async with live.http() as http:
                polled = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
            assert polled.status_code == 503
            assert polled.headers["content-type"] == "application/json"
            assert polled.json() == {"error": error_object(AT_CAPACITY)}

            with pytest.raises(InvalidStatus) as refused:
                async with connect(url, open_timeout=10):
                    pass
            answer = refused.value.response
            assert answer.status_code == 503
            assert answer.headers["Content-Type"] == "application/json"
            assert orjson.loads(answer.body) == {"error": error_object(AT_CAPACITY)}
    finally:
        await live.stop()
