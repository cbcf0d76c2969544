"""notifications: no foreign keys (broadcasts write one row per member in one statement)

A role broadcast writes every member's inbox row with one INSERT ... SELECT
(events/inbox_rows.py). On PostgreSQL each row then ran two referential-integrity checks (a
`SELECT ... FOR KEY SHARE` on `users` and on `events`): with both keys, 100,000 rows took 6.9-7.7 s
on the bench machine, with either key dropped 3.6-4.0 s, with neither 2.0-2.4 s (EXPLAIN ANALYZE,
same load; bench/README.md). The rows are written only by that module, with the event of the
same transaction and user ids read from `users` in the same statement, and neither users nor
events are ever deleted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notifications_event_id_events"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_notifications_user_id_users"), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_user_id_users"), "users", ["user_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_event_id_events"), "events", ["event_id"], ["id"]
        )
