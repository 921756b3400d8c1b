"""accounting: the books, closed cycles, accounting's copy of users, one payment per user and cycle

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    books = op.create_table(
        "accounting_books",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_closed_cycle", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(books, [{"id": 1, "last_closed_cycle": None}])
    op.create_table(
        "accounting_closed_cycles",
        sa.Column("billing_cycle", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("billing_cycle"),
    )
    op.create_table(
        "accounting_users",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("accounting_audit_records", schema=None) as batch_op:
        batch_op.create_index(
            "ux_accounting_audit_one_payment",
            ["user_id", "billing_cycle"],
            unique=True,
            postgresql_where=sa.text("kind = 'payment'"),
            sqlite_where=sa.text("kind = 'payment'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("accounting_audit_records", schema=None) as batch_op:
        batch_op.drop_index("ux_accounting_audit_one_payment")
    op.drop_table("accounting_users")
    op.drop_table("accounting_closed_cycles")
    op.drop_table("accounting_books")
