"""The Slack adapter's own tables: every message aTES posts about tasks, and what it needs to keep them true, and
the other messages it posts once each (the daily analytics post, the payout DMs).

They belong to the bot, not to a domain: no domain reads them, and the bot reads the domains only through their
queries. A message's row is written before each Slack call and again after it, so what was sent is known even
when the process dies in between (then Slack's own record, the message's metadata, settles it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


class TaskMessage(Base):
    """One message about one or more tasks, to one person. `state`: pending → posting → posted.

    `stale` (a count of changes) asks for the message to be brought up to date; `shown_hash` is the hash of what
    Slack shows, and `updating_hash` what a chat.update in flight would make it show (set before, cleared after).
    """

    __tablename__ = "bot_task_messages"
    __table_args__ = (
        Index("ix_bot_task_messages_due", "state", "stale"),
        Index("ix_bot_task_messages_channel_ts", "channel_id", "ts"),
    )

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # assigned | shuffle | author
    user_id: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(32))  # who shuffled, for a shuffle's message
    state: Mapped[str] = mapped_column(String(8))
    stale: Mapped[int] = mapped_column(Integer, default=0)  # changes not yet shown; cleared only to what was read
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    shown_hash: Mapped[str | None] = mapped_column(String(64))
    updating_hash: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    correlation_id: Mapped[str | None] = mapped_column(String(36))  # of the event that asked for it, for the logs


class MessageTask(Base):
    """A task a message shows, in its place; `is_new` is False for a task a shuffle redrew to its holder."""

    __tablename__ = "bot_message_tasks"
    __table_args__ = (Index("ix_bot_message_tasks_task", "task_id"),)

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    is_new: Mapped[bool] = mapped_column(Boolean, default=True)


class TaskFacts(Base):
    """What the messages say about a task beyond its current state: who moved or deleted it, what Done paid."""

    __tablename__ = "bot_task_facts"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    moved_by: Mapped[str | None] = mapped_column(String(32))  # whose shuffle drew it last
    deleted_by: Mapped[str | None] = mapped_column(String(32))
    reward_cents: Mapped[int | None] = mapped_column(BigInteger)
    balance_after_cents: Mapped[int | None] = mapped_column(BigInteger)


class Shuffle(Base):
    """A shuffle whose ShuffleCompleted arrived; its messages are made once all `moved` draws are here too."""

    __tablename__ = "bot_shuffles"

    shuffle_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shuffled_by: Mapped[str | None] = mapped_column(String(32))
    moved: Mapped[int] = mapped_column(Integer)


class ShuffleDraw(Base):
    """A shuffle's draws, kept until all have arrived after its ShuffleCompleted and each worker has one message."""

    __tablename__ = "bot_shuffle_draws"

    shuffle_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assignee_id: Mapped[str] = mapped_column(String(32))
    kept: Mapped[bool] = mapped_column(Boolean)


class DmChannel(Base):
    """The DM channel Slack answered with when aTES first posted to a user id."""

    __tablename__ = "bot_dm_channels"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))


class ChannelPost(Base):
    """A message posted once under its key (`bot/channel_posts.py`). `state`: pending → posting → posted.

    `channel_id` is where it goes (a channel, or a user id for a DM) until posted, then the channel Slack answered
    with; `file_id` is the file uploaded for it, kept so that a retry shows the same file instead of uploading again.
    """

    __tablename__ = "bot_channel_posts"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(8))
    ts: Mapped[str | None] = mapped_column(String(32))
    file_id: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # when the last post began
    posted_by: Mapped[str | None] = mapped_column(String(64))  # the group member whose post that was
