"""Accounting's own tables: accounts, priced tasks, the append-only audit log, the books and its users."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Index, Integer, MetaData, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domains.kernel.db import BigId, inbox_table, outbox_table

metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


class Account(Base):
    __tablename__ = "accounting_accounts"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class PricedTask(Base):
    """Accounting's copy of a task, with the prices drawn once when accounting first heard of it."""

    __tablename__ = "accounting_tasks"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(200))
    jira_id: Mapped[str | None] = mapped_column(String(32))
    fee_cents: Mapped[int] = mapped_column(BigInteger)
    reward_cents: Mapped[int] = mapped_column(BigInteger)


class AuditRecord(Base):
    """One balance change. Withdrawals and payments are negative amounts, deposits positive."""

    __tablename__ = "accounting_audit_records"
    __table_args__ = (
        Index("ix_accounting_audit_user_cycle", "user_id", "billing_cycle"),
        Index("ix_accounting_audit_cycle_kind", "billing_cycle", "kind"),
        # A user is paid at most once per cycle, whatever happens to the close.
        Index(
            "ux_accounting_audit_one_payment",
            "user_id",
            "billing_cycle",
            unique=True,
            postgresql_where=text("kind = 'payment'"),
            sqlite_where=text("kind = 'payment'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    balance_after_cents: Mapped[int] = mapped_column(BigInteger)
    task_id: Mapped[str | None] = mapped_column(String(36))
    billing_cycle: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[str] = mapped_column(String(36))
    # Of the request that moved the money (a payment's: its payout's), so each can be followed to the other.
    correlation_id: Mapped[str | None] = mapped_column(String(36))


class Books(Base):
    """The one row every money move reads under a shared lock and the close takes under an exclusive one."""

    __tablename__ = "accounting_books"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_closed_cycle: Mapped[date | None] = mapped_column(Date)


class ClosedCycle(Base):
    """A billing cycle whose payouts are done; its key makes a second close of the same day fail."""

    __tablename__ = "accounting_closed_cycles"

    billing_cycle: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payments: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(BigInteger)


class Member(Base):
    """Accounting's copy of a user, from the users topic: names for the money views."""

    __tablename__ = "accounting_users"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


BOOKS_ID = 1

outbox = outbox_table("accounting", metadata)
inbox = inbox_table("accounting", metadata)
