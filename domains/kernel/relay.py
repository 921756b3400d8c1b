"""The outbox relay: moves committed events to the bus, in outbox order, one relay per outbox at a time."""

from __future__ import annotations

import logging
import threading
import zlib

from sqlalchemy import Engine, Table, select, text, update

from domains.kernel.bus import StreamBus
from domains.kernel.clock import utcnow

log = logging.getLogger(__name__)


def relay_once(engine: Engine, outbox: Table, bus: StreamBus, batch: int = 1000) -> int:
    """Publish the oldest unpublished events; returns how many were published."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            lock = zlib.crc32(outbox.name.encode())
            if not connection.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock}).scalar():
                return 0  # another relay holds this outbox
        rows = connection.execute(
            select(outbox.c.id, outbox.c.topic, outbox.c.body)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return 0
        # Published before the rows are marked: a crash in between republishes, and consumers are idempotent.
        bus.publish([(row.topic, row.body) for row in rows])
        connection.execute(
            update(outbox).where(outbox.c.id.in_([row.id for row in rows])).values(published_at=utcnow())
        )
    return len(rows)


def run_relay(
    engine: Engine, outboxes: list[Table], bus: StreamBus, stop: threading.Event, idle_s: float = 0.05
) -> None:
    """Relay every outbox until `stop` is set."""
    while not stop.is_set():
        moved = 0
        for outbox in outboxes:
            try:
                moved += relay_once(engine, outbox, bus)
            except Exception:
                log.exception("relay of %s failed; retrying", outbox.name)
                stop.wait(1.0)
        if not moved:
            stop.wait(idle_s)
