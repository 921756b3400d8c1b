"""bot: the messages posted once under a key (the daily analytics post, the payout DMs); the days posted move in

Revision ID: 0010
Revises: 0009

Each day in analytics_posted_days becomes a posted row keyed `analytics-day:YYYY-MM-DD` (its channel and ts were
never kept), so no day is posted again; analytics_posted_days is dropped. Payout DMs sent before the upgrade were
remembered in Redis only: an event of theirs delivered again after the upgrade would be sent again.
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_PREFIX = "analytics-day:"


def upgrade() -> None:
    posts = op.create_table(
        "bot_channel_posts",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("file_id", sa.String(length=32), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    days = _posted_days()
    posted = op.get_bind().execute(sa.select(days.c.billing_cycle, days.c.posted_at)).all()
    if posted:
        rows = [
            {"key": f"{KEY_PREFIX}{day.isoformat()}", "channel_id": "", "state": "posted", "started_at": at}
            for day, at in posted
        ]
        op.bulk_insert(posts, rows)
    op.drop_table("analytics_posted_days")


def downgrade() -> None:
    op.create_table(
        "analytics_posted_days",
        sa.Column("billing_cycle", sa.Date(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("billing_cycle"),
    )
    posts = sa.table(
        "bot_channel_posts", sa.column("key"), sa.column("state"), sa.column("started_at", sa.DateTime(timezone=True))
    )
    bind = op.get_bind()
    found = bind.execute(
        sa.select(posts.c.key, posts.c.started_at).where(posts.c.key.startswith(KEY_PREFIX), posts.c.state == "posted")
    ).all()
    rows = [{"billing_cycle": date.fromisoformat(key.removeprefix(KEY_PREFIX)), "posted_at": at} for key, at in found]
    if rows:
        bind.execute(_posted_days().insert(), rows)
    op.drop_table("bot_channel_posts")


def _posted_days() -> sa.TableClause:
    return sa.table(
        "analytics_posted_days",
        sa.column("billing_cycle", sa.Date()),
        sa.column("posted_at", sa.DateTime(timezone=True)),
    )
