"""A scripted day through tasks and accounting on PostgreSQL: the money adds up, duplicates change nothing."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, select
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting import consumers as accounting_consumers
from domains.accounting.handlers import AccountingUnitOfWork
from domains.accounting.model import PriceDraw
from domains.accounting.queries import audit_check, balance_of, earnings_of
from domains.accounting.tables import outbox as accounting_outbox
from domains.kernel.consumer import Subscription
from domains.kernel.contracts import PriceAssigned, TaskAssigned, TaskCompleted, UserCreated
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.events import Event, make_event, parse_event
from domains.tasks import consumers as tasks_consumers
from domains.tasks import handlers as tasks
from domains.tasks.commands import CompleteTask, CreateTask, ShuffleTasks
from domains.tasks.model import NotAssignee
from domains.tasks.queries import get_task
from domains.tasks.tables import outbox as tasks_outbox
from tests.integration.ledger import recorded_cycles

WORKERS = ["U1", "U2", "U3"]


@pytest.fixture
def sessions(pg_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()


def outbox_events(sessions: sessionmaker[Session], outbox: Table) -> list[Event]:
    with sessions() as session:
        return [parse_event(body) for body in session.scalars(select(outbox.c.body).order_by(outbox.c.id))]


def hire(sessions: sessionmaker[Session], users: list[str], role: str = "worker") -> None:
    members = tasks_consumers.subscription(sessions)
    for user in users:
        payload = UserCreated(user_id=user, name=user, email=None, avatar_url=None, role=role)  # type: ignore[arg-type]
        members.apply(make_event("identity", payload))


def assignee_of(sessions: sessionmaker[Session], task_id: UUID) -> str:
    task = get_task(sessions, task_id)
    assert task is not None
    return task.assignee_id


def accounting(sessions: sessionmaker[Session]) -> Subscription[AccountingUnitOfWork]:
    return accounting_consumers.subscription(sessions, PriceDraw(random.Random(7)), ZoneInfo("UTC"))


def test_a_scripted_day_adds_up(sessions: sessionmaker[Session]) -> None:
    hire(sessions, WORKERS)
    hire(sessions, ["UMANAGER"], role="manager")
    rng = random.Random(42)
    created = [
        tasks.create_task(
            tasks.unit_of_work(sessions), CreateTask(author_id="UMANAGER", title=f"Task {n}", jira_id=f"UP-{n}"), rng
        )
        for n in range(12)
    ]
    tasks.shuffle_tasks(tasks.unit_of_work(sessions), ShuffleTasks(), rng)
    for task in created[:5]:
        tasks.complete_task(
            tasks.unit_of_work(sessions),
            CompleteTask(task_id=task.task_id, user_id=assignee_of(sessions, task.task_id)),
        )
    not_the_assignee = next(w for w in WORKERS if w != assignee_of(sessions, created[6].task_id))
    with pytest.raises(NotAssignee):
        tasks.complete_task(
            tasks.unit_of_work(sessions), CompleteTask(task_id=created[6].task_id, user_id=not_the_assignee)
        )

    consumer = accounting(sessions)
    for event in outbox_events(sessions, tasks_outbox):
        consumer.apply(event)

    prices = {
        p.task_id: p
        for p in (e.payload() for e in outbox_events(sessions, accounting_outbox))
        if isinstance(p, PriceAssigned)
    }
    expected: dict[str, int] = dict.fromkeys(WORKERS, 0)
    fees = rewards = 0
    for payload in (e.payload() for e in outbox_events(sessions, tasks_outbox)):
        if isinstance(payload, TaskAssigned):
            expected[payload.assignee_id] -= prices[payload.task_id].fee_cents
            fees += prices[payload.task_id].fee_cents
        elif isinstance(payload, TaskCompleted):
            expected[payload.assignee_id] += prices[payload.task_id].reward_cents
            rewards += prices[payload.task_id].reward_cents

    assert len(prices) == len(created)
    assert {w: balance_of(sessions, w) for w in WORKERS} == expected
    assert audit_check(sessions) == []
    assert sum(earnings_of(sessions, cycle) for cycle in recorded_cycles(sessions)) == fees - rewards
    assert rewards > 0


def test_the_same_event_twice_changes_nothing(sessions: sessionmaker[Session]) -> None:
    hire(sessions, ["U1"])
    task = tasks.create_task(
        tasks.unit_of_work(sessions), CreateTask(author_id="U1", title="Fix the beak", jira_id="UP-42")
    )
    events = outbox_events(sessions, tasks_outbox)
    consumer = accounting(sessions)
    assert all(consumer.apply(e) for e in events)
    balance = balance_of(sessions, "U1")
    records = len(outbox_events(sessions, accounting_outbox))

    assert not any(consumer.apply(e) for e in events)
    assert balance_of(sessions, "U1") == balance < 0
    assert len(outbox_events(sessions, accounting_outbox)) == records
    assert task.assignee_id == "U1"


def test_an_assignment_heard_before_the_task_is_charged_once_with_the_right_fee(
    sessions: sessionmaker[Session],
) -> None:
    hire(sessions, ["U1"])
    tasks.create_task(tasks.unit_of_work(sessions), CreateTask(author_id="U1", title="Fix the beak", jira_id=None))
    created, assigned = outbox_events(sessions, tasks_outbox)
    consumer = accounting(sessions)
    consumer.apply(assigned)
    consumer.apply(created)
    consumer.apply(assigned)

    prices = [e.payload() for e in outbox_events(sessions, accounting_outbox) if e.event_name == "PriceAssigned"]
    assert len(prices) == 1
    assert isinstance(prices[0], PriceAssigned)
    assert prices[0].task_id == UUID(str(created.data["task_id"]))
    assert balance_of(sessions, "U1") == -prices[0].fee_cents


def test_a_batch_applies_each_event_once_and_all_or_nothing(sessions: sessionmaker[Session]) -> None:
    hire(sessions, ["U1"])
    first = tasks.create_task(
        tasks.unit_of_work(sessions), CreateTask(author_id="U1", title="Fix the beak", jira_id="UP-42")
    )
    tasks.complete_task(tasks.unit_of_work(sessions), CompleteTask(task_id=first.task_id, user_id="U1"))
    created, assigned, completed = outbox_events(sessions, tasks_outbox)
    consumer = accounting(sessions)

    def broken(*_: object) -> None:
        raise RuntimeError("a handler bug")

    failing = replace(consumer, handlers={**consumer.handlers, TaskCompleted: broken})
    with pytest.raises(RuntimeError):
        failing.apply_many([created, assigned, completed])
    assert balance_of(sessions, "U1") == 0
    assert outbox_events(sessions, accounting_outbox) == []

    consumer.apply_many([assigned, created, assigned, completed])
    consumer.apply_many([completed, assigned])
    prices = [e.payload() for e in outbox_events(sessions, accounting_outbox) if e.event_name == "PriceAssigned"]
    assert len(prices) == 1
    assert isinstance(prices[0], PriceAssigned)
    assert balance_of(sessions, "U1") == prices[0].reward_cents - prices[0].fee_cents
    assert audit_check(sessions) == []
