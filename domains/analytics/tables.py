"""Analytics' own tables: its copies of tasks, earnings per billing cycle and balances, built from events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Index, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domains.kernel.db import inbox_table, outbox_table

metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


class CompletedTask(Base):
    """A task as analytics knows it; any of its facts may arrive first, so every column but the id may be empty."""

    __tablename__ = "analytics_tasks"
    __table_args__ = (Index("ix_analytics_tasks_completed_cycle", "completed_cycle"),)

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(200))
    jira_id: Mapped[str | None] = mapped_column(String(32))
    reward_cents: Mapped[int | None] = mapped_column(BigInteger)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_cycle: Mapped[date | None] = mapped_column(Date)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class CycleEarnings(Base):
    """Fees charged and rewards paid in one billing cycle."""

    __tablename__ = "analytics_earnings"

    billing_cycle: Mapped[date] = mapped_column(Date, primary_key=True)
    fees_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    rewards_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    audit_records: Mapped[int] = mapped_column(BigInteger, default=0)  # applied so far: the close says how many


class Balance(Base):
    """A user's balance: the sum of their audit records' amounts (a sum does not care about arrival order)."""

    __tablename__ = "analytics_balances"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class DayBalance(Base):
    """What one user's balance changed by in one billing cycle: the sum up to a day is their balance at its end."""

    __tablename__ = "analytics_day_balances"
    __table_args__ = (Index("ix_analytics_day_balances_cycle", "billing_cycle"),)

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    billing_cycle: Mapped[date] = mapped_column(Date, primary_key=True)
    change_cents: Mapped[int] = mapped_column(BigInteger, default=0)


outbox = outbox_table("analytics", metadata)
inbox = inbox_table("analytics", metadata)
