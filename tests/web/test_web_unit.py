"""The web app's own unit tests (vitest): the prescription rules the form shares with the server,
and the shared prescription cases (tests/shared/rx_cases.json); the import boundaries are
ESLint's (test_web_lint.py). Run here so the one test command
covers them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"


def test_vitest_suite_passes(web_packages: Path) -> None:
    npx = shutil.which("npx")
    assert npx
    done = subprocess.run(
        [npx, "vitest", "run", "--reporter=dot"],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
