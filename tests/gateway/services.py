"""Processes the gateway tests start themselves: a private redis-server (so a test may stop and
restart it), and `oms` subprocesses on port 0 whose announced URL is read from their output."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import httpx

from tests.process_output import ProcessOutput
from tests.start_imports import oms_argv

# Generous: a start is waited for, never timed, and the machine may be busy.
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """A throw-away redis-server on loopback, stopped and restarted on the same port at will."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._output: ProcessOutput | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is required (scripts/test installs it)"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self._output = ProcessOutput(self.process.stdout, self.directory / "redis.log")
        # Printed once it listens and has loaded its (empty) dataset.
        self._output.wait_for("Ready to accept connections", within=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if self._output is not None:
            self._output.close()
        self.process = None


class OmsProcess:
    """`oms <command>` in a subprocess, its output collected; `url` is the address it announced.
    Once it has exited, `listing` names the modules it had imported (tests.start_imports)."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.command = command
        self.listing = log.with_suffix(".modules")
        self.url = ""
        self.process = subprocess.Popen(
            oms_argv(*command.split(), listing=self.listing),
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._output = ProcessOutput(self.process.stdout, log)

    def output(self) -> str:
        """What it has printed so far; all of it once it has been stopped or killed."""
        return self._output.text()

    async def started(self, pattern: str = r"OMS [^\n]* on (http://\S+)") -> OmsProcess:
        """Once it has printed `pattern` (its first group is its URL)."""
        found = await asyncio.to_thread(self._output.wait_for, pattern, START_TIMEOUT)
        self.url = found.group(1)
        return self

    async def healthy(self) -> dict[str, object]:
        async with httpx.AsyncClient(timeout=5) as http:
            response = await http.get(self.url + "/health")
        body: dict[str, object] = response.json()
        return body

    async def wait_health(self, key: str, value: object, within: float = 15) -> None:
        async with asyncio.timeout(within):
            while (await self.healthy()).get(key) != value:  # noqa: ASYNC110  (polling a server)
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs at all."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._output.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._output.close()
