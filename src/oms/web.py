"""Serving the built web app (web/dist) with a fallback to index.html for client-side routes.

- Files under `assets/` have a content hash in their name (vite): cached for a year, `immutable`.
  index.html (and anything else) is `no-cache`: revalidated on every load, so a deploy shows at
  once and points at the new hashed files.
- Text files are sent gzip-compressed to clients that accept it. Each is compressed once, on first
  request, and kept in memory (the app is a few hundred KB): no CPU per request after that.
- Source maps are never served (the build makes none; a stray one is still a 404).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import anyio
import anyio.to_thread
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

REPO_WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_COMPRESSIBLE = (".js", ".css", ".html", ".svg", ".json", ".txt", ".webmanifest")
_MIN_COMPRESS_BYTES = 1024


def web_dist() -> Path | None:
    configured = os.environ.get("OMS_WEB_DIR")
    path = Path(configured) if configured else REPO_WEB_DIST
    return path if (path / "index.html").is_file() else None


class SinglePageApp(StaticFiles):
    """Static files; any unknown path that is not an API path gets index.html."""

    def __init__(self, *, directory: Path) -> None:
        super().__init__(directory=directory, html=True)
        self._gzipped: dict[tuple[str, float], bytes] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path.endswith(".map"):
            raise HTTPException(404)
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or path.startswith(("api/", "socket.io")):
                raise
            response = FileResponse(Path(str(self.directory)) / "index.html")
        hashed = path.startswith("assets/") and response.status_code in (200, 304)
        response.headers["Cache-Control"] = IMMUTABLE if hashed else REVALIDATE
        if isinstance(response, FileResponse) and response.status_code == 200:
            return await self._compressed(response, scope)
        return response

    async def _compressed(self, response: FileResponse, scope: Scope) -> Response:
        file = Path(response.path)
        response.headers["Vary"] = "Accept-Encoding"
        if file.suffix not in _COMPRESSIBLE or "gzip" not in Headers(scope=scope).get(
            "accept-encoding", ""
        ):
            return response
        stat = response.stat_result or await anyio.Path(file).stat()
        if stat.st_size < _MIN_COMPRESS_BYTES:
            return response
        key = (str(file), stat.st_mtime)
        body = self._gzipped.get(key)
        if body is None:
            # Off the event loop: compressing the app's JS takes tens of milliseconds, once.
            body = await anyio.to_thread.run_sync(_gzip_file, file)
            self._gzipped[key] = body
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-length", "content-encoding")
        }
        headers["Content-Encoding"] = "gzip"
        return Response(body, status_code=200, headers=headers, media_type=response.media_type)


def _gzip_file(file: Path) -> bytes:
    return gzip.compress(file.read_bytes(), compresslevel=9, mtime=0)
