"""Real socket.io clients for the tests: python-socketio's AsyncClient and Node's socket.io-client.

Both record every event they receive, in order, and every wait has a timeout.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import socketio

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
# How long a probe waits for what it expects before the test fails: generous, since a wait ends
# as soon as the thing arrives and only a failing test ever waits it out (a busy machine must not
# turn a slow arrival into a failure).
WAIT = 30.0
CONNECTIONS_CHANGED = "connections.changed"


class Probe:
    """One python-socketio client connection and everything it received."""

    def __init__(self, label: str = "") -> None:
        self.label = label
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, dict[str, Any]]] = []
        # `connections.changed` signals (no payload, not events): counted apart from `events`.
        self.signals = 0
        self.connect_error: dict[str, Any] | None = None
        self.disconnected = False
        self._changed = asyncio.Event()
        self.client.on("*", self._on_event)
        self.client.on("connect_error", self._on_connect_error)
        self.client.on("disconnect", self._on_disconnect)

    async def _on_disconnect(self, reason: Any = None) -> None:
        self.disconnected = True
        self._changed.set()  # wakes wait_until(lambda: not probe.client.connected)

    async def _on_event(self, event: str, data: Any = None) -> None:
        if event == CONNECTIONS_CHANGED:
            self.signals += 1
        else:
            self.events.append((event, data))
        self._changed.set()

    async def _on_connect_error(self, data: Any = None) -> None:
        self.connect_error = data if isinstance(data, dict) else {"message": data}

    async def connect(
        self,
        url: str,
        token: str | None,
        *,
        last_event_id: int | None = None,
        transports: tuple[str, ...] = ("websocket",),
    ) -> Probe:
        auth: dict[str, Any] = {}
        if token is not None:
            auth["token"] = token
        if last_event_id is not None:
            auth["last_event_id"] = last_event_id
        await self.client.connect(
            url, auth=auth or None, transports=list(transports), wait_timeout=WAIT
        )
        return self

    async def refused(self, url: str, token: str | None) -> dict[str, Any]:
        """Connect expecting a refusal; returns the refusal packet."""
        try:
            await self.connect(url, token)
        except socketio.exceptions.ConnectionError:
            assert self.connect_error is not None
            return self.connect_error
        await self.close()
        raise AssertionError("the connection was accepted")

    async def call(self, event: str, data: Any) -> Any:
        return await self.client.call(event, data, timeout=WAIT)

    async def wait_until(self, check: Callable[[], bool], within: float = WAIT) -> None:
        async with asyncio.timeout(within):
            while not check():
                self._changed.clear()
                await self._changed.wait()

    async def wait_for_ids(self, *event_ids: int, within: float = WAIT) -> None:
        wanted = set(event_ids)
        await self.wait_until(lambda: wanted <= set(self.ids()), within)

    def ids(self) -> list[int]:
        return [int(data["event_id"]) for _, data in self.events if "event_id" in data]

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def of(self, event_id: int) -> list[dict[str, Any]]:
        return [data for _, data in self.events if data["event_id"] == event_id]

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()
        await self.client.shutdown()


class NodeHub:
    """One Node process (tests/node/client.mjs) holding any number of stock socket.io-client v4
    connections: a test with many Node sockets starts Node once, not once per socket."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.clients: dict[int, NodeClient] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls) -> NodeHub:
        node = shutil.which("node")
        assert node is not None, "Node.js is required for the wire-compatibility tests"
        assert (NODE_DIR / "node_modules" / "socket.io-client").is_dir(), (
            "run `npm ci --prefix tests/node` first"
        )
        process = await asyncio.create_subprocess_exec(
            node,
            str(NODE_DIR / "client.mjs"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=NODE_DIR,
        )
        return cls(process)

    @property
    def running(self) -> bool:
        return not self._reader.done()

    def open(self, url: str, token: str | None, **options: Any) -> NodeClient:
        client = NodeClient(self, len(self.clients) + 1)
        self.clients[client.number] = client
        config = {"url": url, **({"token": token} if token is not None else {}), **options}
        self.send({"op": "open", "socket": client.number, **config})
        return client

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command).encode() + b"\n")

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            line = json.loads(raw)
            self.clients[line.pop("socket")].received(line)
        for client in self.clients.values():
            client.received(None)

    async def close(self) -> None:
        if self.process.returncode is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
                await asyncio.wait_for(self.process.wait(), 5)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                self.process.kill()
                await self.process.wait()
        await asyncio.wait_for(self._reader, 5)


class NodeClient:
    """One stock socket.io-client v4 connection (in a NodeHub) and every line it reported."""

    def __init__(self, hub: NodeHub, number: int) -> None:
        self.hub = hub
        self.number = number
        self.owns_hub = False
        self.lines: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self._refs = 0

    @classmethod
    async def start(cls, url: str, token: str | None, **options: Any) -> NodeClient:
        """A connection in a Node process of its own (closed with it)."""
        client = (await NodeHub.start()).open(url, token, **options)
        client.owns_hub = True
        return client

    def received(self, line: dict[str, Any] | None) -> None:
        if line is not None:
            self.lines.append(line)
        self._changed.set()

    async def wait_for(
        self, check: Callable[[list[dict[str, Any]]], bool], within: float = WAIT
    ) -> None:
        async with asyncio.timeout(within):
            while not check(self.lines):
                if not self.hub.running:
                    raise AssertionError(f"node client ended: {self.lines}")
                self._changed.clear()
                await self._changed.wait()

    async def wait_type(self, kind: str, within: float = WAIT) -> dict[str, Any]:
        await self.wait_for(lambda lines: any(line["type"] == kind for line in lines), within)
        return next(line for line in self.lines if line["type"] == kind)

    def events(self) -> list[dict[str, Any]]:
        return [
            line
            for line in self.lines
            if line["type"] == "event" and line["event"] != CONNECTIONS_CHANGED
        ]

    def ids(self) -> list[int]:
        return [int(line["payload"]["event_id"]) for line in self.events()]

    async def wait_for_ids(self, *event_ids: int, within: float = WAIT) -> None:
        wanted = set(event_ids)
        await self.wait_for(lambda _: wanted <= set(self.ids()), within)

    async def call(self, op: str, channel: Any) -> Any:
        self._refs += 1
        ref = self._refs
        self.hub.send({"op": op, "socket": self.number, "channel": channel, "ref": ref})
        await self.wait_for(
            lambda lines: any(line["type"] == "ack" and line["ref"] == ref for line in lines)
        )
        return next(line["ack"] for line in self.lines if line.get("ref") == ref)

    def emit(self, event: str, data: Any) -> None:
        self.hub.send({"op": "emit", "socket": self.number, "event": event, "data": data})

    async def close(self) -> None:
        """Disconnect this socket (and stop its Node process if it has one of its own)."""
        if self.hub.running and not any(line["type"] == "closed" for line in self.lines):
            self.hub.send({"op": "close", "socket": self.number})
            await self.wait_type("closed")
        if self.owns_hub:
            await self.hub.close()
