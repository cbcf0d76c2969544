"""End-to-end fixtures: the built web app, one headless Chromium (Debian's, never a downloaded
one) and one real `oms serve --demo` per pytest-xdist worker (each test uses its own people, days
and products, and counts relative to what it found; a module that restarts its server starts its
own), and people signed in, each in a browser context of their own (as separate browsers would
be). Everything started here is stopped here."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.browser import Person, sign_in
from tests.e2e.server import OmsServer

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    # Chromium 156 preloads its omnibox's popup (two chrome:// WebUI pages, a renderer process of
    # their own) for every window, so every browser context: ~0.8 s of CPU per person signed in,
    # a tenth of the suite's. A headless page never opens the address bar.
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup",
]


def _stale(dist: Path) -> bool:
    index = dist / "index.html"
    if not index.is_file():
        return True
    built = index.stat().st_mtime
    sources = [WEB / "index.html", WEB / "package-lock.json", *(WEB / "src").rglob("*")]
    return any(path.is_file() and path.stat().st_mtime > built for path in sources)


@pytest.fixture(scope="session")
def web_dist(web_packages: Path) -> Path:
    """web/dist: scripts/test builds it (web_packages waited for that); a run without it builds
    it here first when it is missing or older than its sources."""
    dist = WEB / "dist"
    if not os.environ.get("OMS_TEST_WEB_READY") and _stale(dist):
        npm = shutil.which("npm")
        assert npm, "npm is needed to build the web app"
        subprocess.run([npm, "run", "build"], cwd=WEB, check=True, timeout=600)
    assert (dist / "index.html").is_file()
    return dist


# Package scope, not session: the sync Playwright API keeps an asyncio loop running on this thread
# while it is open, which would break every async test collected after this package.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.is_file(), "end-to-end tests drive Debian's chromium (apt-get install chromium)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


def running_server(web_dist: Path, data_dir: Path) -> Iterator[OmsServer]:
    oms = OmsServer(data_dir, web_dist)
    oms.start()
    try:
        yield oms
    finally:
        oms.stop()


@pytest.fixture(scope="package")
def server(web_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OmsServer]:
    """One demo chain for the tests that only use it (each uses its own people, days and
    products, and counts relative to what it found); a test that stops the server has its own."""
    yield from running_server(web_dist, tmp_path_factory.mktemp("oms-e2e"))


SignIn = Callable[..., Person]


@pytest.fixture
def sign_in_as(browser: Browser, server: OmsServer) -> Iterator[SignIn]:
    """`sign_in_as(email, phone=False)`: a person in a browser context of their own."""
    people: list[Person] = []

    def open_as(email: str, *, phone: bool = False) -> Person:
        person = sign_in(browser, server.url, email, phone=phone)
        people.append(person)
        return person

    yield open_as
    for person in people:
        person.page.context.close()
