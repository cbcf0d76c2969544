"""REST routes: appointments (DESIGN §5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["appointments"])
