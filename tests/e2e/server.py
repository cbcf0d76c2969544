"""A real `oms serve --demo` in a subprocess on free loopback ports, with its own data directory,
serving the built web app. It can be stopped and started again on the same ports and data, which
is how the reconnect test takes the gateway away and brings it back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.process_output import ProcessOutput

# `oms` sits beside the interpreter running the tests (the project's virtual environment).
OMS = Path(sys.executable).with_name("oms")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
# Any key but the development one (refused outside development); this server's tokens only.
E2E_APP_KEY = "end-to-end-test-key-of-the-oms-suite-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OmsServer:
    def __init__(self, data_dir: Path, web_dist: Path) -> None:
        self.data_dir = data_dir
        self.web_dist = web_dist
        self.http_port = free_port()
        self.websocket_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.log = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._output: ProcessOutput | None = None
        self._admin_token: str | None = None

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            # `test`, not `development`: the same app, but argon2's cheapest profile for the demo
            # accounts' hashes, so each of the suite's many sign-ins costs microseconds of CPU,
            # not a 64 MiB hash (verifying reads the profile from the hash).
            "APP_ENV": "test",
            "APP_KEY": E2E_APP_KEY,
            "OMS_DATA_DIR": str(self.data_dir),
            "OMS_WEB_DIR": str(self.web_dist),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.http_port),
            "WEBSOCKET_HOST": "127.0.0.1",
            "WEBSOCKET_PORT": str(self.websocket_port),
            "PYTHONUNBUFFERED": "1",
            # No appointment reminders: one falling due mid-run (a booking for tomorrow) would
            # add an unplanned toast and bell count to another test's person. The reminders are
            # tested with a ManualClock in tests/appointments/test_reminders.py.
            "REMINDER_OFFSETS": "",
            # One admin sends dozens of notifications and everyone signs in from 127.0.0.1 within
            # a minute: far beyond what the production limits let one person do.
            "RATE_BROADCAST_PER_SENDER": "1000/minute",
            "RATE_LOGIN_PER_ADDRESS": "1000/minute",
        }

    def start(self) -> None:
        assert self.process is None, "already running"
        self.process = subprocess.Popen(
            [str(OMS), "serve", "--demo"],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self._output = ProcessOutput(self.process.stdout, self.log)
        try:
            # Printed once both listeners are up, the web app and API's line first.
            self._output.wait_for(r"OMS real-time gateway on ", within=START_TIMEOUT)
        except AssertionError:
            self.stop()
            raise

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)
        if self._output is not None:
            self._output.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def cli(self, *args: str) -> str:
        """Run another `oms` command against the same data (it needs no running server)."""
        done = subprocess.run(
            [str(OMS), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr or done.stdout
        return done.stdout

    def notify(self, title: str, *emails: str) -> None:
        """An admin's general notification to these people only, through the REST API.

        A fence for "nobody else sees it": events reach each socket in event-id order, so once
        this one shows on someone's screen, every earlier event for them has shown too."""
        with httpx.Client(base_url=self.url, timeout=10) as http:
            if self._admin_token is None:
                login = http.post(
                    "/api/auth/login",
                    json={"email": "admin@everbright.test", "password": "everbright-demo"},
                )
                assert login.status_code == 200, login.text
                self._admin_token = str(login.json()["access_token"])
            headers = {"Authorization": f"Bearer {self._admin_token}"}
            users = http.get("/api/users", headers=headers).json()
            ids = [user["id"] for user in users if user["email"] in emails]
            assert len(ids) == len(emails), f"unknown people among {emails}"
            sent = http.post(
                "/api/notifications/broadcast",
                headers=headers,
                json={"title": title, "message": "fence", "type": "general", "user_ids": ids},
            )
            assert sent.status_code in (200, 201), sent.text
