"""uvicorn's HTTP protocol with a deadline on the request head (issue 9, point 4).

uvicorn (httptools) closes an idle keep-alive connection after `timeout_keep_alive`, but it arms
that timer only once a response is sent, and any byte received disarms it. A connection that
sends nothing, or a request head at a byte a second (slowloris; a websocket upgrade is such a
head), is never closed: thousands of them hold the process's file descriptors until nothing else
is accepted. Here every request head — the first on a connection and each later one — must be
complete within `head_timeout` seconds of its first byte (of the connection, for the first), or
the connection is closed. Bodies are not covered (REST limits their size), nor are responses
(a long poll waits by design).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def head_timeout_protocol(head_timeout: float) -> type[HttpToolsProtocol]:
    """The protocol class for uvicorn's `http` setting, with this deadline."""
    return type(
        "HeadTimeoutHttpProtocol", (HeadTimeoutHttpProtocol,), {"head_timeout": head_timeout}
    )


class HeadTimeoutHttpProtocol(HttpToolsProtocol):
    head_timeout = 5.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        # A new request head starting on an idle keep-alive connection (uvicorn disarms its own
        # keep-alive timer on any byte): from now on the head has its deadline.
        if self._head_deadline is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()
        super().data_received(data)

    def on_headers_complete(self) -> None:
        # Also reached for a websocket upgrade, before the connection is handed over.
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
