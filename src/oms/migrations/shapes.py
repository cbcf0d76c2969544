"""Column and constraint shapes the migrations repeat, written once.

Revisions are history: what they create must never change once shipped, and they import these,
so nothing here may ever change either. A new shape is a new function. (Each helper spells exactly
what Alembic's autogenerate wrote out in full before; tests/core/test_migrations.py compares the
migrated schema with the models on both databases.)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from oms.db.base import UTCDateTime


def instant(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A moment in time, stored in UTC."""
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def big_key(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A 64-bit key or reference to one; INTEGER on SQLite, whose 64-bit rowid only an INTEGER
    PRIMARY KEY column becomes."""
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable)


def reference(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """`table.column` refers to `target.id`; named as the models' naming convention names it
    (fk_<table>_<column>_<target>). Called inside a revision's upgrade(), where `op` is bound."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )
