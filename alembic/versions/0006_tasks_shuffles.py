"""tasks: a record of each shuffle, for the App Home of managers and admins

Revision ID: 0006
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tasks_shuffles",
        sa.Column(
            "shuffle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("shuffled_by", sa.String(length=32), nullable=True),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("worker_count", sa.Integer(), nullable=False),
        sa.Column("shuffled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("shuffle_id"),
    )


def downgrade() -> None:
    op.drop_table("tasks_shuffles")
