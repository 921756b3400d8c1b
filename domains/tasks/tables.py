"""Tasks' own tables, including its copy of who the workers are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domains.kernel.db import BigId, inbox_table, outbox_table

metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


class Task(Base):
    __tablename__ = "tasks_tasks"
    __table_args__ = (
        Index("ix_tasks_tasks_assignee_status", "assignee_id", "status"),
        Index("ix_tasks_tasks_status", "status"),
    )

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    jira_id: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[str] = mapped_column(String(32))
    assignee_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Shuffle(Base):
    """Each shuffle that ran: the App Home of managers and admins shows the last one."""

    __tablename__ = "tasks_shuffles"

    shuffle_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shuffled_by: Mapped[str | None] = mapped_column(String(32))
    moved: Mapped[int] = mapped_column(Integer)
    worker_count: Mapped[int] = mapped_column(Integer)
    shuffled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Member(Base):
    """Tasks' copy of a user: enough to know who may be assigned work."""

    __tablename__ = "tasks_members"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


outbox = outbox_table("tasks", metadata)
inbox = inbox_table("tasks", metadata)
