"""bot: the task messages aTES posted (channel, ts, what they show) and what keeps them true

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bot_task_messages",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("stale", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("shown_hash", sa.String(length=64), nullable=True),
        sa.Column("updating_hash", sa.String(length=64), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("correlation_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_bot_task_messages_due", "bot_task_messages", ["state", "stale"])
    op.create_index("ix_bot_task_messages_channel_ts", "bot_task_messages", ["channel_id", "ts"])
    op.create_table(
        "bot_message_tasks",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_new", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", "task_id"),
    )
    op.create_index("ix_bot_message_tasks_task", "bot_message_tasks", ["task_id"])
    op.create_table(
        "bot_task_facts",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("moved_by", sa.String(length=32), nullable=True),
        sa.Column("deleted_by", sa.String(length=32), nullable=True),
        sa.Column("reward_cents", sa.BigInteger(), nullable=True),
        sa.Column("balance_after_cents", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("task_id"),
    )
    op.create_table(
        "bot_shuffles",
        sa.Column("shuffle_id", sa.String(length=36), nullable=False),
        sa.Column("shuffled_by", sa.String(length=32), nullable=True),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("shuffle_id"),
    )
    op.create_table(
        "bot_shuffle_draws",
        sa.Column("shuffle_id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("assignee_id", sa.String(length=32), nullable=False),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("shuffle_id", "task_id"),
    )
    op.create_table(
        "bot_dm_channels",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    for table in (
        "bot_dm_channels",
        "bot_shuffle_draws",
        "bot_shuffles",
        "bot_task_facts",
        "bot_message_tasks",
        "bot_task_messages",
    ):
        op.drop_table(table)
