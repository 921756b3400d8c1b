"""A domain's unit of work: its state, the events it emits and the events it applied commit together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self
from uuid import UUID

from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.clock import utcnow
from domains.kernel.commands import CarriedOutBefore, Requested
from domains.kernel.db import copy_rows, dialect_insert, insert_many
from domains.kernel.events import Event, Payload, new_outgoing, outgoing


class UnitOfWork:
    """Nothing is saved unless `commit()` is called; leaving the block rolls back."""

    session: Session

    def __init__(
        self,
        sessions: sessionmaker[Session],
        producer: str,
        outbox: Table,
        inbox: Table,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self.clock = clock  # what "now" is for the facts its handlers record
        self.producer = producer
        self._outbox = outbox
        self._inbox = inbox
        self._unwritten: list[Event | Payload] = []
        self._correlations: list[UUID | None] = []  # of each unwritten payload
        # The correlation of the event being applied: the events its handler emits carry it on.
        self.correlation_id: UUID | None = None

    def __enter__(self) -> Self:
        self.session = self._sessions()
        self._unwritten, self._correlations, self.correlation_id = [], [], None
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.flush()
        self.session.commit()

    def emit(self, payload: Payload, correlation_id: UUID | None = None) -> None:
        """Add an event to the outbox, in this transaction; it gets its envelope (id, time) when it is written.

        It carries `correlation_id`, by default that of the event being applied."""
        self._unwritten.append(payload)
        self._correlations.append(correlation_id or self.correlation_id)

    def emit_events(self, events: list[Event]) -> None:
        """Add events to the outbox, in this transaction; they are written together at the latest on commit."""
        self._unwritten.extend(events)

    def flush(self) -> None:
        """Write the events emitted so far to the outbox, in one statement."""
        if not self._unwritten:
            return
        now = utcnow()
        unwritten, self._unwritten = self._unwritten, []
        correlations, self._correlations = self._correlations, []
        payloads = [p for p in unwritten if isinstance(p, Payload)]
        enveloped = iter(new_outgoing(self.producer, payloads, now, correlations))
        rows = [(*(next(enveloped) if isinstance(e, Payload) else outgoing(e)), now) for e in unwritten]
        copy_rows(self.session, self._outbox, ["event_id", "topic", "body", "created_at"], rows)

    def begin(self, command: Requested) -> None:
        """Take up a request's command: its events carry its correlation on, and a repeated request is refused
        (`CarriedOutBefore`), its id being recorded in the inbox as an event's is, in this transaction."""
        self.correlation_id = command.correlation_id
        if command.request_id is None:
            return
        row = {"event_id": str(command.request_id), "event_name": type(command).__name__, "applied_at": utcnow()}
        statement = dialect_insert(self.session, self._inbox).on_conflict_do_nothing(index_elements=["event_id"])
        if self.session.execute(statement.values(row).returning(self._inbox.c.event_id)).first() is None:
            raise CarriedOutBefore(f"{type(command).__name__} {command.request_id}")

    def first_times(self, events: list[Event]) -> list[Event]:
        """Record that these events are applied; returns those not applied before, in their order."""
        if not events:
            return []
        now = utcnow()
        rows = [{"event_id": str(e.event_id), "event_name": e.event_name, "applied_at": now} for e in events]
        statement = dialect_insert(self.session, self._inbox).on_conflict_do_nothing(index_elements=["event_id"])
        fresh = set(insert_many(self.session, statement.returning(self._inbox.c.event_id), rows).scalars())
        firsts = []
        for event in events:  # the same event twice in one batch is applied once
            if str(event.event_id) in fresh:
                fresh.remove(str(event.event_id))
                firsts.append(event)
        return firsts
