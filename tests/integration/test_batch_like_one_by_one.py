"""Accounting applies a batch set-based; it must leave exactly what applying its events one by one leaves."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting import consumers
from domains.accounting.handlers import AccountingUnitOfWork
from domains.accounting.model import PriceDraw
from domains.accounting.queries import audit_check
from domains.accounting.tables import Account, AuditRecord, outbox
from domains.kernel.clock import utcnow
from domains.kernel.consumer import Subscription
from domains.kernel.contracts import TaskAssigned, TaskCompleted, TaskCreatedV2, TaskUpdatedV2, UserCreated
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.events import Event, Payload, make_event, parse_event
from tests.backbone import reset_accounting
from tests.fakes.clock import FakeClock

VOLATILE = {"record_id"}  # drawn afresh by each run
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # accounting's clock; the events' own times are later: money lands on it


@pytest.fixture
def sessions(pg_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()


def accounting(sessions: sessionmaker[Session]) -> Subscription[AccountingUnitOfWork]:
    """Accounting's subscription with the same seeded prices and frozen clock for every run."""
    return consumers.subscription(sessions, PriceDraw(random.Random(11)), ZoneInfo("UTC"), FakeClock(NOW))


def tangled_day() -> list[Event]:
    """Several moves for the same users, a task assigned before it is created, a reassignment, a renamed task."""
    beak, seeds, nest = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def created(task_id: uuid.UUID, title: str, jira_id: str | None) -> Payload:
        return TaskCreatedV2(
            task_id=task_id, title=title, jira_id=jira_id, description="", author_id="UA", created_at=utcnow()
        )

    def assigned(task_id: uuid.UUID, user: str) -> Payload:
        return TaskAssigned(task_id=task_id, assignee_id=user, previous_assignee_id=None)

    def completed(task_id: uuid.UUID, user: str) -> Payload:
        return TaskCompleted(task_id=task_id, assignee_id=user, completed_at=utcnow())

    payloads = [
        assigned(beak, "U1"),  # before its TaskCreated: priced on first sight, charged once
        UserCreated(user_id="U1", name="Kesha", email=None, avatar_url=None, role="worker"),
        created(beak, "Fix the beak", "UP-1"),
        created(seeds, "Count the seeds", None),
        assigned(seeds, "U1"),
        assigned(seeds, "U2"),
        completed(seeds, "U2"),
        created(nest, "Build a nest", "UP-3"),
        assigned(nest, "U1"),
        TaskUpdatedV2(task_id=beak, title="Fix the beak properly", jira_id="UP-2", description=""),
        completed(beak, "U1"),
        completed(nest, "U1"),
    ]
    return [make_event("tasks", payload) for payload in payloads]


def books(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """Balances, audit records in order, and each topic's outbox events in order, without what a run draws afresh."""
    with sessions() as session:
        balances = {a.user_id: a.balance_cents for a in session.scalars(select(Account))}
        records = [
            (r.user_id, r.kind, r.amount_cents, r.balance_after_cents, r.task_id, r.billing_cycle, r.event_id)
            for r in session.scalars(select(AuditRecord).order_by(AuditRecord.id))
        ]
        events = [parse_event(body) for body in session.scalars(select(outbox.c.body).order_by(outbox.c.id))]
    by_topic: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for event in events:
        data = {key: value for key, value in event.data.items() if key not in VOLATILE}
        by_topic.setdefault(event.topic, []).append((event.event_name, data))
    return {"balances": balances, "records": records, "events": by_topic}


@pytest.mark.parametrize("split", [len(tangled_day()), 5, 1], ids=["one batch", "two batches", "batches of one"])
def test_batches_leave_what_one_by_one_leaves(sessions: sessionmaker[Session], split: int) -> None:
    day = tangled_day()
    singly = accounting(sessions)
    for event in day:
        assert singly.apply(event)
    assert not singly.apply(day[0])  # a duplicate changes nothing
    one_by_one = books(sessions)

    reset_accounting(sessions)
    batched = accounting(sessions)
    redelivered = [*day, day[0], day[4]]  # the same events twice within a batch, and again in a later one
    for start in range(0, len(redelivered), split):
        batched.apply_many(redelivered[start : start + split])
    assert books(sessions) == one_by_one
    assert audit_check(sessions) == []


def test_a_tangled_day_charges_and_pays_as_the_rules_say(sessions: sessionmaker[Session]) -> None:
    accounting(sessions).apply_many(tangled_day())
    state = books(sessions)
    prices = {data["task_id"]: data for name, data in state["events"]["task-prices"] if name == "PriceAssigned"}
    assert len(prices) == 3  # each task priced once, though the first was charged before it was created
    u1 = [record for record in state["records"] if record[0] == "U1"]
    assert [kind for _, kind, *_ in u1] == ["withdraw", "withdraw", "withdraw", "deposit", "deposit"]
    running = 0
    for _, _, amount, balance_after, *_ in u1:  # each record's balance is the one before it plus its amount
        running += amount
        assert balance_after == running
    assert state["balances"]["U1"] == running
    audit = [data for name, data in state["events"]["audit-records"] if data["user_id"] == "U1"]
    assert [data["balance_after_cents"] for data in audit] == [record[3] for record in u1]
    titles = [data["task_title"] for data in audit]
    assert titles[0] is None  # charged before accounting heard the task's title
    assert titles[-2] == "Fix the beak properly"  # the reward after the rename carries the new title
    assert {record[5] for record in state["records"]} == {date(2026, 3, 2)}
