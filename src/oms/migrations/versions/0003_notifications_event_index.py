"""notifications: an index that leads with event_id

`events.store.events_between` (gap filling, and all delivery without Redis) looks up the inbox rows
of a page of events by `event_id`; every other index on `notifications` leads with `user_id`, so
that lookup scanned the whole table. `(event_id, user_id)` also gives the order the query asks for.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_event_user", ["event_id", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_event_user")
