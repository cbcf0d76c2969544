"""Serving the built web app (web/dist) with a fallback to index.html for client-side routes."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

REPO_WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def web_dist() -> Path | None:
    configured = os.environ.get("OMS_WEB_DIR")
    path = Path(configured) if configured else REPO_WEB_DIST
    return path if (path / "index.html").is_file() else None


class SinglePageApp(StaticFiles):
    """Static files; any unknown path that is not an API path gets index.html."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or path.startswith(("api/", "socket.io")):
                raise
            return FileResponse(Path(str(self.directory)) / "index.html")
