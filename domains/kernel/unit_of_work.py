"""A domain's unit of work: its state, the events it emits and the events it applied commit together."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.clock import utcnow
from domains.kernel.db import insert_if_absent
from domains.kernel.events import Event, Payload, make_event


class UnitOfWork:
    """Nothing is saved unless `commit()` is called; leaving the block rolls back."""

    session: Session

    def __init__(self, sessions: sessionmaker[Session], producer: str, outbox: Table, inbox: Table) -> None:
        self._sessions = sessions
        self.producer = producer
        self._outbox = outbox
        self._inbox = inbox
        self.emitted: list[Event] = []

    def __enter__(self) -> Self:
        self.session = self._sessions()
        self.emitted = []
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def emit(self, payload: Payload) -> Event:
        """Write an event to the outbox, in this transaction."""
        event = make_event(self.producer, payload)
        self.emit_events([event])
        return event

    def emit_events(self, events: list[Event]) -> None:
        if not events:
            return
        now = utcnow()
        self.session.execute(
            insert(self._outbox),
            [{"event_id": str(e.event_id), "topic": e.topic, "body": e.to_json(), "created_at": now} for e in events],
        )
        self.emitted.extend(events)

    def first_time(self, event: Event) -> bool:
        """Record that this event is applied; False when it already was (a duplicate)."""
        row = {"event_id": str(event.event_id), "event_name": event.event_name, "applied_at": utcnow()}
        return insert_if_absent(self.session, self._inbox, ["event_id"], row)
