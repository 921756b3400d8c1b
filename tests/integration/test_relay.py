"""The outbox relay: a row that commits late is still published, and two relays never publish twice."""

from __future__ import annotations

import json
import threading

from sqlalchemy import select

from domains.kernel.contracts import TASKS
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.redis_bus import RedisBus
from domains.kernel.relay import relay_once, run_relay
from domains.kernel.unit_of_work import UnitOfWork
from domains.tasks.tables import inbox, outbox
from jobs.runtime import Runtime
from tests.backbone import task_traffic
from tests.e2e.harness import eventually


def published_event_ids(bus: RedisBus) -> list[str]:
    return [json.loads(d.body)["event_id"] for d in bus.tail({TASKS: "0"}, block_ms=1) if d.topic == TASKS]


def redis_bus(runtime: Runtime) -> RedisBus:
    assert isinstance(runtime.bus, RedisBus)
    return runtime.bus


def test_two_outbox_rows_committed_out_of_id_order_are_both_published(runtime: Runtime) -> None:
    bus = redis_bus(runtime)
    early, late = task_traffic(2, ["U1"])[0::2]
    slow = UnitOfWork(runtime.sessions, "tasks", outbox, inbox)
    with slow:
        slow.emit_events([early])
        slow.flush()  # takes the lower id, but commits last
        with UnitOfWork(runtime.sessions, "tasks", outbox, inbox) as quick:
            quick.emit_events([late])
            quick.commit()
        assert relay_once(runtime.engine, outbox, bus) == 1
        slow.commit()
    assert relay_once(runtime.engine, outbox, bus) == 1
    with runtime.sessions() as session:
        ids = {str(row.event_id): int(row.id) for row in session.execute(select(outbox.c.event_id, outbox.c.id))}
    assert ids[str(early.event_id)] < ids[str(late.event_id)]
    assert published_event_ids(bus) == [str(late.event_id), str(early.event_id)]


def test_two_relays_at_once_publish_each_event_once_in_outbox_order(runtime: Runtime, pg_url: str) -> None:
    bus = redis_bus(runtime)
    events = task_traffic(150, ["U1", "U2"])[0::2]
    stop = threading.Event()
    engines = [make_engine(pg_url), make_engine(pg_url)]
    relays = [threading.Thread(target=run_relay, args=(e, [outbox], bus, stop, 0.001)) for e in engines]
    for relay in relays:
        relay.start()
    try:
        for start in range(0, len(events), 10):  # ten per transaction, while both relays poll
            with UnitOfWork(make_session_factory(engines[0]), "tasks", outbox, inbox) as uow:
                uow.emit_events(events[start : start + 10])
                uow.commit()
        eventually(lambda: len(published_event_ids(bus)), lambda n: n >= len(events))
    finally:
        stop.set()
        for relay in relays:
            relay.join()
        for engine in engines:
            engine.dispose()
    assert published_event_ids(bus) == [str(e.event_id) for e in events]
