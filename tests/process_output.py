"""A subprocess's output, read as it is written: a test waits for the line that says a process
is ready (`OMS real-time gateway on http://…`) and goes on the moment it is printed — a fence,
where polling the process (or a log file) every so often would sleep past the moment or spin."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import IO


class ProcessOutput:
    """Copies a process's output pipe (`process.stdout`, or `process.stderr`) into `log` line by
    line from a thread of its own, and keeps the text so that `wait_for` can look for a line in it.
    The log file stays complete for a failing test's message or a person reading it later."""

    def __init__(self, pipe: IO[bytes] | None, log: Path) -> None:
        assert pipe is not None, "start the process with that output to subprocess.PIPE"
        self.log = log
        self._text = ""
        self._ended = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._copy, args=(pipe,), daemon=True)
        self._reader.start()

    def _copy(self, stream: IO[bytes]) -> None:
        with stream, self.log.open("ab") as log:
            for line in iter(stream.readline, b""):
                log.write(line)
                log.flush()
                with self._changed:
                    self._text += line.decode(errors="replace")
                    self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def text(self) -> str:
        with self._changed:
            return self._text

    def wait_for(self, pattern: str, within: float) -> re.Match[str]:
        """The first match of `pattern` in what the process printed, as soon as it is printed.
        Fails, with the output, if the process closes its output (it exited) without printing it
        or has not printed it `within` seconds."""
        found: re.Match[str] | None = None

        def printed_or_ended() -> bool:
            nonlocal found
            found = re.search(pattern, self._text)
            return found is not None or self._ended

        with self._changed:
            self._changed.wait_for(printed_or_ended, timeout=within)
            text = self._text
        if found is not None:
            return found
        if self._ended:
            raise AssertionError(f"the process ended without printing {pattern!r}:\n{text}")
        raise AssertionError(f"{pattern!r} was not printed within {within} s:\n{text}")

    def close(self) -> None:
        """After the process has exited: the rest of its output is in the log."""
        self._reader.join(timeout=10)
