"""What an `oms` process imported, told by the process itself.

Every `oms` start pays CPU for each library it imports (the suite starts dozens), so the tests of
the commands and processes pin what each one must not load: `oms_argv(..., listing=path)` runs
`oms` as the installed script does (`oms.cli:main`) and, when the process exits, writes the names
in its `sys.modules` to `path`.
"""

from __future__ import annotations

import sys
from pathlib import Path

_LISTING = """\
import atexit, sys
listing = sys.argv.pop(1)
atexit.register(lambda: open(listing, "w").write("\\n".join(sorted(sys.modules))))
sys.argv[0] = "oms"
from oms.cli import main
main()
"""

# Stacks a process loads only when it serves what they are for.
WEB = frozenset({"fastapi", "starlette", "uvicorn"})
SOCKETS = frozenset({"socketio", "engineio"})
WEB_PUSH = frozenset({"aiohttp", "pywebpush"})
MIGRATIONS = frozenset({"alembic"})


def oms_argv(*arguments: str, listing: Path) -> list[str]:
    """The command line of `oms ARGUMENTS` that writes its modules to `listing` at exit."""
    return [sys.executable, "-c", _LISTING, str(listing), *arguments]


def loaded(listing: Path) -> set[str]:
    """Every module the process had imported when it exited."""
    return set(listing.read_text().split())


def packages(listing: Path) -> set[str]:
    """The top-level packages among them."""
    return {name.partition(".")[0] for name in loaded(listing)}
