"""analytics as of then: each user's balance change per day, the audit records applied per day, the days posted

Revision ID: 0007
Revises: 0006

Existing analytics rows get no history: `ates replay analytics` after the upgrade fills the new columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("analytics_earnings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_records", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_table(
        "analytics_day_balances",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("billing_cycle", sa.Date(), nullable=False),
        sa.Column("change_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "billing_cycle"),
    )
    with op.batch_alter_table("analytics_day_balances", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_day_balances_cycle", ["billing_cycle"], unique=False)
    op.create_table(
        "analytics_posted_days",
        sa.Column("billing_cycle", sa.Date(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("billing_cycle"),
    )


def downgrade() -> None:
    op.drop_table("analytics_posted_days")
    with op.batch_alter_table("analytics_day_balances", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_day_balances_cycle")
    op.drop_table("analytics_day_balances")
    with op.batch_alter_table("analytics_earnings", schema=None) as batch_op:
        batch_op.drop_column("audit_records")
