"""Accounting's money rules against its own tables in an in-memory SQLite: fees, rewards, the close, no services."""

from __future__ import annotations

import logging
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting import consumers
from domains.accounting.handlers import AccountingUnitOfWork, close_day
from domains.accounting.model import DayClosed, PriceDraw
from domains.accounting.queries import audit_check, balance_of
from domains.accounting.tables import BOOKS_ID, AuditRecord, Books, metadata, outbox
from domains.kernel.contracts import (
    AuditRecordCreated,
    TaskAssigned,
    TaskCompleted,
    TaskCreatedV2,
    TaskUpdatedV2,
    UserBalanceIncreased,
    UserPaid,
    UserWithdrawn,
)
from domains.kernel.events import Event, Payload, make_event, parse_event
from domains.kernel.log_context import ContextFilter
from tests.fakes.clock import FakeClock
from tests.in_memory import in_memory_sessions

DAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 12, tzinfo=UTC)


class Accounting:
    """Accounting alone: its tables in memory, its consumer's subscription, its close, a clock the test moves."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.clock = FakeClock(NOON)
        self.prices = PriceDraw(random.Random(5))
        self.timezone = ZoneInfo("UTC")

    def hear(self, payload: Payload, correlation: UUID | None = None, at: datetime | None = None) -> Event:
        event = make_event("tasks", payload, event_time=at or self.clock(), correlation_id=correlation)
        consumers.subscription(self.sessions, self.prices, self.timezone, self.clock).apply(event)
        return event

    def task(self, title: str = "Fix the beak") -> UUID:
        task_id = uuid.uuid4()
        self.hear(
            TaskCreatedV2(task_id=task_id, title=title, jira_id=None, description="", author_id="UA", created_at=NOON)
        )
        return task_id

    def assign(self, task_id: UUID, user: str, correlation: UUID | None = None, at: datetime | None = None) -> None:
        self.hear(TaskAssigned(task_id=task_id, assignee_id=user, previous_assignee_id=None), correlation, at)

    def complete(self, task_id: UUID, user: str, correlation: UUID | None = None) -> None:
        self.hear(TaskCompleted(task_id=task_id, assignee_id=user, completed_at=self.clock()), correlation)

    def close(self, cycle: date = DAY) -> DayClosed:
        return close_day(AccountingUnitOfWork(self.sessions, self.prices, self.timezone, self.clock), cycle)

    def events(self) -> list[Event]:
        with self.sessions() as session:
            return [parse_event(body) for body in session.scalars(select(outbox.c.body).order_by(outbox.c.id))]

    def emitted(self, kind: type[Payload]) -> list[Event]:
        return [event for event in self.events() if event.event_name == kind.NAME]

    def records(self) -> list[AuditRecord]:
        with self.sessions() as session:
            return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


@pytest.fixture
def books() -> Accounting:
    sessions = in_memory_sessions(metadata)
    with sessions.begin() as session:
        session.execute(insert(Books).values(id=BOOKS_ID, last_closed_cycle=None))
    return Accounting(sessions)


def test_an_assignment_charges_the_fee_and_says_so_under_the_requests_correlation(books: Accounting) -> None:
    request = uuid.uuid4()
    task_id = books.task()
    books.assign(task_id, "U1", request)

    [fee] = books.emitted(UserWithdrawn)
    charged = fee.payload()
    assert isinstance(charged, UserWithdrawn) and charged.billing_cycle == DAY and charged.task_id == task_id
    assert balance_of(books.sessions, "U1") == -charged.amount_cents
    assert 1_000 <= charged.amount_cents <= 2_000
    [record] = books.records()
    assert (record.kind, record.amount_cents, record.balance_after_cents) == (
        "withdraw",
        -charged.amount_cents,
        -charged.amount_cents,
    )
    assert record.correlation_id == str(request)
    [announced] = books.emitted(AuditRecordCreated)
    assert announced.correlation_id == fee.correlation_id == request
    assert audit_check(books.sessions) == []


def test_a_completion_credits_the_reward_with_the_title_as_it_stands(books: Accounting) -> None:
    task_id = books.task("Fix the beak")
    books.assign(task_id, "U1")
    books.hear(TaskUpdatedV2(task_id=task_id, title="Fix the beak properly", jira_id="UP-2", description=""))
    books.complete(task_id, "U1")

    [reward] = [event.payload() for event in books.emitted(UserBalanceIncreased)]
    assert isinstance(reward, UserBalanceIncreased) and 2_000 <= reward.amount_cents <= 4_000
    titles = [event.payload() for event in books.emitted(AuditRecordCreated)]
    assert [(r.kind, r.task_title) for r in titles if isinstance(r, AuditRecordCreated)] == [
        ("withdraw", "Fix the beak"),
        ("deposit", "Fix the beak properly"),
    ]
    fee = -books.records()[0].amount_cents
    assert [record.balance_after_cents for record in books.records()] == [-fee, reward.amount_cents - fee]
    assert balance_of(books.sessions, "U1") == reward.amount_cents - fee


def test_each_task_is_priced_once_and_keeps_its_prices(books: Accounting) -> None:
    task_id = books.task()
    books.assign(task_id, "U1")
    books.assign(task_id, "U2")
    fees = {event.payload().amount_cents for event in books.emitted(UserWithdrawn)}  # type: ignore[attr-defined]
    assert len(fees) == 1
    assert len(books.emitted(AuditRecordCreated)) == 2
    assert len([e for e in books.events() if e.event_name == "PriceAssigned"]) == 1


def test_money_is_dated_by_the_ledger_clock_when_the_event_claims_a_later_time(books: Accounting) -> None:
    books.assign(books.task(), "U1", at=NOON + timedelta(days=2))
    assert [record.billing_cycle for record in books.records()] == [DAY]


def test_the_close_pays_positive_balances_once_and_carries_negative_ones(books: Accounting) -> None:
    earner, payer = books.task(), books.task()
    books.assign(earner, "U1")
    books.complete(earner, "U1")
    books.assign(payer, "U2")
    owed, owing = balance_of(books.sessions, "U1"), balance_of(books.sessions, "U2")
    books.clock.advance(days=1)

    closed = books.close()

    assert closed.paid == {"U1": owed} and closed.carried == {"U2": owing}
    assert balance_of(books.sessions, "U1") == 0 and balance_of(books.sessions, "U2") == owing
    [paid] = books.emitted(UserPaid)
    assert paid.payload() == UserPaid(user_id="U1", amount_cents=owed, earned_cents=owed, billing_cycle=DAY)
    payment = books.records()[-1]
    assert (payment.kind, payment.amount_cents, payment.balance_after_cents) == ("payment", -owed, 0)
    assert payment.event_id == str(paid.event_id)
    assert books.close().already_closed and len(books.emitted(UserPaid)) == 1
    assert audit_check(books.sessions) == []


def test_money_dated_in_a_closed_day_lands_in_the_next_open_one(books: Accounting) -> None:
    books.assign(books.task(), "U1")
    books.clock.advance(days=1)
    books.close()
    books.assign(books.task(), "U1", at=NOON + timedelta(hours=6))  # happened on the 20th, heard of after its close
    assert books.records()[-1].billing_cycle == DAY + timedelta(days=1)


def test_a_payout_names_the_requests_whose_money_it_counts(books: Accounting, caplog: pytest.LogCaptureFixture) -> None:
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    task = books.task()
    books.assign(task, "U1", first)  # day one ends negative: carried, so counted by the next payout
    books.clock.advance(days=1)
    assert books.close().carried
    later = books.task()
    books.assign(later, "U1", second)
    books.complete(later, "U1", third)
    books.complete(task, "U1", third)
    books.clock.advance(days=1)

    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.INFO, logger="domains.accounting.closing"):
        [payout] = books.close(DAY + timedelta(days=1)).payouts

    assert payout.counted == (str(first), str(second), str(third))
    [paid] = books.emitted(UserPaid)
    assert payout.payout_id == paid.event_id
    assert books.records()[-1].correlation_id == str(paid.event_id)  # the payment's record: the payout's own
    [line] = [record for record in caplog.records if record.getMessage().startswith("paid U1")]
    assert all(str(c) in line.getMessage() for c in (first, second, third))
    assert line.counted == payout.counted  # type: ignore[attr-defined]
    assert line.correlation_id == str(paid.event_id)  # type: ignore[attr-defined]
