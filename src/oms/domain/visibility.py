"""Loading one row for an actor: a row they may not see is "not found", the same answer as a row
that does not exist, so an id tells nobody what lies outside their reach."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.base import Base
from oms.domain.errors import NotFound

Row = TypeVar("Row", bound=Base)


async def load_visible(
    session: AsyncSession,
    model: type[Row],
    row_id: int,
    visible: Callable[[Row], bool],
    noun: str,
    *,
    lock: bool = False,
) -> Row:
    """The `model` row `row_id` if `visible` says the actor may see it, else NotFound naming the
    `noun`. `lock` for a change: the row is locked and read afresh."""
    query = select(model).filter_by(id=row_id)
    if lock:  # two people acting on one row at once: the second sees the first's result
        query = query.with_for_update().execution_options(populate_existing=True)
    row = await session.scalar(query)
    if row is None or not visible(row):
        raise NotFound(f"{noun} {row_id} was not found")
    return row
