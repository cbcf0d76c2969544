"""Header names of our HTTP side, in a module of their own: `oms connections` sends the app key
without importing FastAPI (oms.http.deps)."""

from __future__ import annotations

APP_KEY_HEADER = "X-App-Key"
