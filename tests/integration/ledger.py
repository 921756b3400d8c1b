"""Drives accounting as its consumer group would: events through its subscription, the close by its handler."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting import consumers
from domains.accounting.handlers import AccountingUnitOfWork, close_day, close_due_days
from domains.accounting.model import DayClosed, PriceDraw
from domains.accounting.tables import AuditRecord, outbox
from domains.kernel.contracts import TaskAssigned, TaskCompleted, TaskCreatedV2, UserCreated
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.events import Event, Payload, make_event, parse_event
from tests.fakes.clock import FakeClock


@dataclass
class Ledger:
    engine: Engine
    clock: FakeClock
    timezone: ZoneInfo
    prices: PriceDraw = field(default_factory=lambda: PriceDraw(random.Random(7)))
    delivered: list[Event] = field(default_factory=list)

    @classmethod
    def on(cls, url: str, now: datetime, timezone: str = "UTC") -> Ledger:
        return cls(make_engine(url), FakeClock(now), ZoneInfo(timezone))

    @property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    def uow(self) -> AccountingUnitOfWork:
        return AccountingUnitOfWork(self.sessions, self.prices, self.timezone, self.clock)

    def deliver(self, payload: Payload, at: datetime | None = None) -> Event:
        event = make_event("tasks", payload, event_time=at or self.clock())
        self.redeliver(event)
        self.delivered.append(event)
        return event

    def redeliver(self, event: Event) -> bool:
        return consumers.subscription(self.sessions, self.prices, self.timezone, self.clock).apply(event)

    def create(self, assignee: str, title: str = "Fix the beak", at: datetime | None = None) -> UUID:
        task_id = uuid.uuid4()
        created = TaskCreatedV2(
            task_id=task_id, title=title, jira_id="UP-1", description="", author_id="UA", created_at=self.clock()
        )
        self.deliver(created, at)
        self.assign(task_id, assignee, at)
        return task_id

    def assign(self, task_id: UUID, assignee: str, at: datetime | None = None) -> None:
        self.deliver(TaskAssigned(task_id=task_id, assignee_id=assignee, previous_assignee_id=None), at)

    def complete(self, task_id: UUID, assignee: str, at: datetime | None = None) -> None:
        self.deliver(TaskCompleted(task_id=task_id, assignee_id=assignee, completed_at=self.clock()), at)

    def user(self, user_id: str, name: str, role: str = "worker") -> None:
        self.deliver(UserCreated(user_id=user_id, name=name, email=None, avatar_url=None, role=role))  # type: ignore[arg-type]

    def close_day(self, cycle: date) -> DayClosed:
        return close_day(self.uow(), cycle)

    def close_due(self, through: date | None = None) -> list[DayClosed]:
        return close_due_days(self.uow, through)

    def records(self, kind: str | None = None) -> list[AuditRecord]:
        with self.sessions() as session:
            query = select(AuditRecord).order_by(AuditRecord.id)
            if kind:
                query = query.where(AuditRecord.kind == kind)
            return list(session.scalars(query))

    def emitted_events(self, name: str) -> list[Event]:
        """Accounting's events named `name`, from its outbox, in order."""
        with self.engine.connect() as connection:
            bodies = connection.execute(select(outbox.c.body).order_by(outbox.c.id)).scalars().all()
        return [event for event in map(parse_event, bodies) if event.event_name == name]

    def emitted(self, name: str) -> list[Payload]:
        return [event.payload() for event in self.emitted_events(name)]

    def dispose(self) -> None:
        self.engine.dispose()


def recorded_cycles(sessions: sessionmaker[Session]) -> list[date]:
    """Every billing cycle that holds an audit record, oldest first: a test's own days, whatever the wall clock says."""
    with sessions() as session:
        return list(session.scalars(select(AuditRecord.billing_cycle).distinct().order_by(AuditRecord.billing_cycle)))
