"""outboxes: a partial index of the unpublished rows by id, instead of an index on published_at

The relay asks for the oldest unpublished rows. With an index on published_at, PostgreSQL walks the primary
key past every row already published (8 ms per batch once 50,000 are); the partial index holds only the
queue, in order.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIXES = ("identity", "tasks", "accounting", "analytics")
UNPUBLISHED = sa.text("published_at IS NULL")


def upgrade() -> None:
    for prefix in PREFIXES:
        with op.batch_alter_table(f"{prefix}_outbox", schema=None) as batch_op:
            batch_op.drop_index(f"ix_{prefix}_outbox_published_at")
            batch_op.create_index(
                f"ix_{prefix}_outbox_unpublished",
                ["id"],
                unique=False,
                postgresql_where=UNPUBLISHED,
                sqlite_where=UNPUBLISHED,
            )


def downgrade() -> None:
    for prefix in PREFIXES:
        with op.batch_alter_table(f"{prefix}_outbox", schema=None) as batch_op:
            batch_op.drop_index(f"ix_{prefix}_outbox_unpublished")
            batch_op.create_index(f"ix_{prefix}_outbox_published_at", ["published_at"], unique=False)
