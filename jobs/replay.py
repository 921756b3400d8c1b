"""`ates replay <group>`: rebuild a consumer group's own tables from every event ever published."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, Table, select

from domains.kernel.bus import StreamBus
from domains.kernel.consumer import Applier
from domains.kernel.events import InvalidEvent, parse_event


@dataclass(frozen=True)
class Replayed:
    applied: int
    invalid: int


def replay(applier: Applier, reset: Callable[[], None], bodies: Iterable[str]) -> Replayed:
    """Empty the group's tables, then apply every event again (each once, as the live consumer would)."""
    reset()
    applied = invalid = 0
    for body in bodies:
        try:
            event = parse_event(body)
        except InvalidEvent:
            invalid += 1  # the live consumer dead-lettered it; a replay cannot do better
            continue
        applied += applier.apply(event)
    return Replayed(applied, invalid)


def stream_history(bus: StreamBus, topics: Iterable[str]) -> Iterator[str]:
    """Every message on the streams, oldest first on each (a group applies topics in any order anyway)."""
    for topic in topics:
        yield from (delivery.body for delivery in bus.history(topic))


def outbox_history(engine: Engine, outboxes: Iterable[Table], topics: Iterable[str]) -> Iterator[str]:
    """Every event the producers wrote for these topics, in each outbox's order.

    The embedded runtime's streams live in the gateway's memory, so another process replays from the outboxes,
    which keep every event after it is relayed.
    """
    wanted = list(topics)
    with engine.connect() as connection:
        for outbox in outboxes:
            rows = connection.execution_options(yield_per=1000).execute(
                select(outbox.c.body).where(outbox.c.topic.in_(wanted)).order_by(outbox.c.id)
            )
            yield from (body for (body,) in rows)
