"""REST routes: inventory (DESIGN §5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["inventory"])
