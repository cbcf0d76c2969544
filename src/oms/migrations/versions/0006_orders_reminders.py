"""orders reminders

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oms.migrations.shapes import big_key, instant, reference

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "appointment_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("offset_label", sa.String(length=16), nullable=False),
        instant("starts_at"),
        big_key("event_id", nullable=True),
        instant("created_at"),
        reference("appointment_reminders", "appointment_id", "appointments"),
        reference("appointment_reminders", "event_id", "events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_reminders")),
        sa.UniqueConstraint("appointment_id", "offset_label", "starts_at", name="uq_reminder_once"),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("prescription_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("lens_type", sa.String(length=20), nullable=False),
        sa.Column("frame_product_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        instant("late_notified_at", nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        instant("created_at"),
        instant("updated_at"),
        sa.CheckConstraint(
            "lens_type IN ('single_vision','bifocal','progressive','contact_lens')",
            name=op.f("ck_orders_lens_type"),
        ),
        sa.CheckConstraint(
            "status IN ('ordered','in_lab','ready','collected','cancelled')",
            name=op.f("ck_orders_status"),
        ),
        reference("orders", "branch_id", "branches"),
        reference("orders", "created_by_id", "users"),
        reference("orders", "frame_product_id", "products"),
        reference("orders", "patient_id", "users"),
        reference("orders", "prescription_id", "prescriptions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_status"))
        batch_op.drop_index(batch_op.f("ix_orders_patient_id"))
        batch_op.drop_index(batch_op.f("ix_orders_branch_id"))

    op.drop_table("orders")
    op.drop_table("appointment_reminders")
