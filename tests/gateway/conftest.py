"""A real gateway on a real port (uvicorn in this event loop) over the test database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from oms.clock import SYSTEM_CLOCK, Clock
from oms.gateway.connections_signal import Pause
from oms.gateway.gateway import Gateway
from oms.gateway.ops import create_ops_app
from oms.runtime import Runtime
from oms.server import uvicorn_server
from tests.factories import Factory
from tests.gateway.probes import NodeClient, NodeHub, Probe
from tests.gateway.scenario import Chain, build_chain
from tests.gateway.services import RedisServer


@dataclass
class LiveGateway:
    url: str
    gateway: Gateway
    runtime: Runtime
    server: uvicorn.Server
    task: asyncio.Task[None]
    probes: list[Probe] = field(default_factory=list)
    nodes: list[NodeClient] = field(default_factory=list)
    node_hub: NodeHub | None = None

    async def probe(
        self, token: str | None, *, last_event_id: int | None = None, transport: str = "websocket"
    ) -> Probe:
        probe = Probe()
        self.probes.append(probe)
        return await probe.connect(
            self.url, token, last_event_id=last_event_id, transports=(transport,)
        )

    async def node(self, token: str | None, **options: object) -> NodeClient:
        """A Node socket.io-client connection; all of a test's share one Node process."""
        if self.node_hub is None:
            self.node_hub = await NodeHub.start()
        client = self.node_hub.open(self.url, token, **options)
        self.nodes.append(client)
        return client

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10)

    async def stop(self) -> None:
        for probe in self.probes:
            await probe.close()
        for node in self.nodes:
            await node.close()
        if self.node_hub is not None:
            await self.node_hub.close()
        self.server.should_exit = True
        await asyncio.wait_for(self.task, 10)
        await self.gateway.stop()

    async def settle(self) -> None:
        """Wait until the dispatcher has handled everything published so far."""
        await asyncio.wait_for(self.gateway.dispatcher.idle(), 10)


async def start_live_gateway(
    runtime: Runtime,
    *,
    tick_seconds: float = 0.2,
    replay_page_size: int = 500,
    expiry_sweep_seconds: float = 5.0,
    ping_interval: float = 25.0,
    ping_timeout: float = 20.0,
    connect_timeout: float | None = None,
    max_sockets: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
    presence_seconds: float | None = None,
    connections_signal_pause: Pause | None = None,
) -> LiveGateway:
    gateway = Gateway(
        runtime,
        tick_seconds=tick_seconds,
        replay_page_size=replay_page_size,
        expiry_sweep_seconds=expiry_sweep_seconds,
        ping_interval=ping_interval,
        ping_timeout=ping_timeout,
        connect_timeout=connect_timeout,
        max_sockets=max_sockets,
        clock=clock,
        # No presence.changed of its own: a test that wants them calls presence.reconcile().
        presence_seconds=presence_seconds,
        connections_signal_pause=connections_signal_pause,
    )
    await gateway.start()
    runtime.gateway = gateway
    app = gateway.asgi_app(create_ops_app(runtime))
    server = uvicorn_server(app, runtime.settings, "127.0.0.1", 0, gateway=gateway)
    task, port = await serving(server)
    return LiveGateway(f"http://127.0.0.1:{port}", gateway, runtime, server, task)


async def serving(server: uvicorn.Server) -> tuple[asyncio.Task[None], int]:
    """`server` serving in a task of this loop, once it listens: the task and its free port (a
    start-up error is raised here, not waited out)."""
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:  # uvicorn exposes only this flag
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    port: int = server.servers[0].sockets[0].getsockname()[1]
    return task, port


@pytest.fixture
async def live(runtime: Runtime) -> AsyncIterator[LiveGateway]:
    gateway = await start_live_gateway(runtime)
    yield gateway
    await gateway.stop()


@pytest.fixture
async def chain(factory: Factory) -> Chain:
    return await build_chain(factory)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
