"""The outbox relay: moves committed events to the bus, in outbox order, one relay per outbox at a time.

Ordering and completeness: rows are selected by `published_at IS NULL`, never by "id above the last
one seen", so a row whose transaction commits after a higher id was published is still found on the
next pass. A transaction that started after another committed gets higher ids and becomes visible
after it, so a domain's causally ordered events reach the bus in that order. A batch is published
at once (one script) before its rows are marked: a crash in between republishes the whole batch, in
order, and consumers skip what they already applied.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib

from sqlalchemy import Engine, Table, select, text, update

from domains.kernel.bus import StreamBus
from domains.kernel.clock import utcnow
from domains.kernel.db import among
from domains.kernel.metrics import RELAY_PUBLISH_SECONDS, RELAY_PUBLISHED

log = logging.getLogger(__name__)
MAX_PAUSE_S = 2.0


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
        with RELAY_PUBLISH_SECONDS.labels(outbox.name).time():
            bus.publish([(row.topic, row.body) for row in rows])
            published = among(connection, outbox.c.id, [row.id for row in rows])
            connection.execute(update(outbox).where(published).values(published_at=utcnow()))
    RELAY_PUBLISHED.labels(outbox.name).inc(len(rows))
    return len(rows)


def trim_streams(bus: StreamBus) -> int:
    """Trim every stream up to what all of its groups acknowledged; returns how many entries went."""
    return sum(bus.trim(topic) for topic in bus.topics())


def run_relay(
    engine: Engine,
    outboxes: list[Table],
    bus: StreamBus,
    stop: threading.Event,
    idle_s: float = 0.05,
    trim_every_s: float = 0.0,
) -> None:
    """Relay every outbox until `stop` is set, trimming the streams every `trim_every_s` (0: never)."""
    failures = 0
    next_trim = time.monotonic() + trim_every_s
    while not stop.is_set():
        moved = 0
        try:
            for outbox in outboxes:
                moved += relay_once(engine, outbox, bus)
            if trim_every_s and time.monotonic() >= next_trim:
                next_trim = time.monotonic() + trim_every_s
                trim_streams(bus)
            failures = 0
        except Exception:  # the database or Redis is away: nothing was marked, so the same rows go next time
            failures += 1
            log.exception("relay failed (%d in a row); retrying", failures)
            stop.wait(min(0.1 * 2**failures, MAX_PAUSE_S))
            continue
        if not moved:
            stop.wait(idle_s)
