"""Schemathesis over /api/openapi.json against a real server (uvicorn on a free port, the demo chain
on SQLite), as an admin, a staff member and a customer: no server error, every answer as the
document says (status codes, schemas, headers). Bounded: a few examples per operation."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from oms.config import Settings
from oms.demo import DEMO_PASSWORD, load_demo
from oms.events.recorder import commit
from oms.server import build_http_app, build_runtime, uvicorn_server
from tests.conftest import TEST_APP_KEY

pytestmark = pytest.mark.slow
ROLES = {
    "admin": "admin@everbright.test",
    "staff": "staff.emerald@everbright.test",
    "customer": "customer1@everbright.test",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class ServerThread:
    """`oms serve`'s HTTP app in a thread with its own event loop."""

    def __init__(self, tmp: Path) -> None:
        self.settings = Settings.model_validate(
            {
                "APP_ENV": "test",
                "APP_KEY": TEST_APP_KEY,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'oms.sqlite3'}",
                "OMS_DATA_DIR": str(tmp),
                # Generated requests log in and register far faster than any person.
                "RATE_LOGIN_PER_ACCOUNT": "100000/minute",
                "RATE_LOGIN_PER_ADDRESS": "100000/minute",
                "RATE_REGISTER_PER_ADDRESS": "100000/minute",
                "RATE_BROADCAST_PER_SENDER": "100000/minute",
            }
        )
        self.url = ""
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        from oms.db.migrate import upgrade_async

        runtime = build_runtime(self.settings)
        await upgrade_async(self.settings.database)
        async with runtime.database.session() as session:
            await load_demo(session)
            await commit(session)
        self.server = uvicorn_server(build_http_app(runtime), self.settings, "127.0.0.1", 0)
        task = asyncio.create_task(self.server.serve())
        while not self.server.started:  # noqa: ASYNC110 (uvicorn exposes only this flag)
            await asyncio.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        await task
        await runtime.close()

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(30), "the server did not start"

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(10)
        self._loop.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    thread = ServerThread(tmp_path_factory.mktemp("schemathesis"))
    thread.start()
    yield thread
    thread.stop()


def log_in_everyone(url: str) -> dict[str, str]:
    """A fresh token per role. Called per operation: generated calls may log a token out, change
    a password or disable a user, and later operations should still be tried as each role."""
    tokens: dict[str, str] = {}
    with httpx.Client(base_url=url) as http:
        for role, email in ROLES.items():
            response = http.post(
                "/api/auth/login", json={"email": email, "password": DEMO_PASSWORD}
            )
            if response.status_code == 200:
                tokens[role] = response.json()["access_token"]
    return tokens


def check_operation(operation: Any, url: str, tokens: dict[str, str]) -> None:
    """A few generated requests for one operation, each sent as every role."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        for token in tokens.values():
            case.call_and_validate(
                base_url=url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
            )

    run()


# The operations are split into shards, each a test of its own, so pytest-xdist can run them on
# several workers at once (one server per worker): together they try every operation.
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_api_keeps_its_contract(server: ServerThread, shard: int) -> None:
    schema = schemathesis.openapi.from_url(server.url + "/api/openapi.json")
    failures: list[str] = []
    operations = 0
    for index, result in enumerate(schema.get_all_operations()):
        assert isinstance(result, Ok), result
        operation = result.ok()
        operations += 1
        if index % SHARDS != shard:
            continue
        tokens = log_in_everyone(server.url)
        assert "admin" in tokens
        try:
            check_operation(operation, server.url, tokens)
        except Exception as error:  # every operation is tried; all failures reported at the end
            failures.append(f"{operation.label}: {error}")
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
