"""Logs an operator can follow: the correlation id travels from a Slack request through every event it causes,
JSON log lines name the group, the event and the correlation, and a failed batch is logged with its cause."""

from __future__ import annotations

import io
import json
import logging
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, select
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting import consumers
from domains.accounting.handlers import AccountingUnitOfWork
from domains.accounting.model import PriceDraw
from domains.accounting.tables import outbox as accounting_outbox
from domains.kernel.consumer import Consumer, Subscription, events_on
from domains.kernel.contracts import TASK_LIFECYCLE, TaskAssigned, TaskCreatedV2, UserCreated
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.events import Event, Payload, make_event, parse_event
from domains.kernel.log_context import about
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.settings import Settings
from domains.tasks import consumers as tasks_consumers
from domains.tasks import handlers as tasks
from domains.tasks.commands import CreateTask
from domains.tasks.tables import outbox as tasks_outbox
from jobs.process import setup_logging
from tests.fakes.clock import FakeClock

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def sessions(pg_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()


def outbox_events(sessions: sessionmaker[Session], outbox: Table) -> list[Event]:
    with sessions() as session:
        return [parse_event(body) for body in session.scalars(select(outbox.c.body))]


def accounting(sessions: sessionmaker[Session]) -> Subscription[AccountingUnitOfWork]:
    return consumers.subscription(sessions, PriceDraw(random.Random(3)), ZoneInfo("UTC"), FakeClock(NOW))


def test_a_requests_correlation_reaches_the_task_and_the_fee(sessions: sessionmaker[Session]) -> None:
    correlation = uuid.uuid4()
    request = CreateTask(request_id=uuid.uuid4(), correlation_id=correlation, author_id="UA", title="Fix the beak")
    add_worker(sessions, "U1")
    tasks.create_task(tasks.unit_of_work(sessions), request, random.Random(1))
    emitted = outbox_events(sessions, tasks_outbox)
    assert {e.event_name for e in emitted} >= {"TaskCreated", "TaskAssigned"}
    assert {e.correlation_id for e in emitted} == {correlation}

    accounting(sessions).apply_many([e for e in emitted if e.event_name in ("TaskCreated", "TaskAssigned")])
    money = [
        e for e in outbox_events(sessions, accounting_outbox) if e.event_name in ("UserWithdrawn", "AuditRecordCreated")
    ]
    assert len(money) == 2 and {e.correlation_id for e in money} == {correlation}


def add_worker(sessions: sessionmaker[Session], user_id: str) -> None:
    joined = make_event(
        "identity", UserCreated(user_id=user_id, name=user_id, email=None, avatar_url=None, role="worker")
    )
    tasks_consumers.subscription(sessions).apply(joined)


def test_an_event_without_a_correlation_starts_one_under_its_own_id(sessions: sessionmaker[Session]) -> None:
    task_id = uuid.uuid4()
    created = make_event(
        "tasks",
        TaskCreatedV2(task_id=task_id, title="Old", jira_id=None, description="", author_id="UA", created_at=NOW),
    )
    assigned = make_event("tasks", TaskAssigned(task_id=task_id, assignee_id="U1", previous_assignee_id=None))
    old = Event.model_validate_json(assigned.to_json().replace(',"correlation_id":null', ""))  # written before it
    assert old.correlation_id is None
    accounting(sessions).apply_many([created, old])
    fee = [e for e in outbox_events(sessions, accounting_outbox) if e.event_name == "UserWithdrawn"]
    assert [e.correlation_id for e in fee] == [old.event_id]


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The process's logging set up for JSON (as ATES_LOG_FORMAT=json does), writing here; restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    setup_logging(Settings(ates_log_format="json"))
    written = io.StringIO()
    root.handlers[0].setStream(written)  # type: ignore[attr-defined]
    yield written
    root.handlers, root.level = saved[0], saved[1]


def test_json_logs_are_one_object_per_line_naming_the_group_the_event_and_the_correlation(
    json_lines: io.StringIO,
) -> None:
    event = make_event("tasks", TaskAssigned(task_id=uuid.uuid4(), assignee_id="U1", previous_assignee_id=None))
    log = logging.getLogger("ates.test")
    with about(group="accounting"), about(event_id=event.event_id, correlation_id=event.correlation):
        log.warning("charged %s", "U1")
    log.info("outside any event")
    first, second = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert first["message"] == "charged U1" and first["level"] == "WARNING" and first["logger"] == "ates.test"
    assert (first["group"], first["event_id"], first["correlation_id"]) == (
        "accounting",
        str(event.event_id),
        str(event.event_id),
    )
    assert (second["group"], second["event_id"], second["correlation_id"]) == (None, None, None)


class Failing:
    group = "accounting"
    topics = (TASK_LIFECYCLE,)
    handles = events_on(topics)
    ignores: frozenset[type[Payload]] = frozenset()

    def __init__(self) -> None:
        self.applied: list[Event] = []

    def apply(self, event: Event) -> bool:
        self.applied.append(event)
        return True

    def apply_many(self, events: list[Event]) -> None:
        raise RuntimeError("the books are locked in a way nobody expected")


def test_a_failed_batch_is_logged_with_its_exception_before_one_by_one_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = MemoryBus()
    events = [make_event("tasks", TaskAssigned(task_id=uuid.uuid4(), assignee_id="U1", previous_assignee_id=None))]
    events.append(make_event("tasks", TaskAssigned(task_id=uuid.uuid4(), assignee_id="U2", previous_assignee_id=None)))
    bus.publish([(e.topic, e.to_json()) for e in events])
    applier = Failing()
    with caplog.at_level(logging.INFO, logger="domains.kernel.consumer"):
        assert Consumer(bus, applier, "c1").poll(block_ms=10) == 2
    [failed] = [r for r in caplog.records if "a batch of 2 failed" in r.getMessage()]
    assert failed.levelno >= logging.WARNING
    assert failed.exc_info is not None and "nobody expected" in str(failed.exc_info[1])
    assert applier.applied == events
