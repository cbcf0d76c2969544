"""booking idempotency keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=80), nullable=True))
        batch.create_unique_constraint(
            "uq_appointment_idempotency", ["created_by_id", "idempotency_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.drop_constraint("uq_appointment_idempotency", type_="unique")
        batch.drop_column("idempotency_key")
