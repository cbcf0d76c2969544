"""The far end of bench/deliveries.py, in a process of its own: an SMTP server (aiosmtpd) and a
push service (aiohttp) that accept everything and count it. Prints `SMTP_PORT PUSH_PORT`, then
runs until killed; `GET /count` on the push port answers `{"emails": n, "pushes": n}`."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

COUNTS = {"emails": 0, "pushes": 0}


class Accept:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        COUNTS["emails"] += 1
        return "250 OK"


async def main() -> None:
    loop = asyncio.get_running_loop()

    def protocol() -> Any:
        return SMTP(Accept(), hostname="sink.test", loop=loop)

    smtp = await loop.create_server(protocol, "127.0.0.1", 0)

    async def push(request: web.Request) -> web.Response:
        await request.read()
        COUNTS["pushes"] += 1
        return web.Response(status=201)

    async def count(_: web.Request) -> web.Response:
        return web.json_response(COUNTS)

    app = web.Application()
    app.router.add_post("/push/{name}", push)
    app.router.add_get("/count", count)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    await web.SockSite(runner, listening).start()
    print(smtp.sockets[0].getsockname()[1], listening.getsockname()[1], flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
