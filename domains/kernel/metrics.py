"""What the backbone counts for Prometheus: consumer groups, the relay, and the backlog read at scrape time.

Counters and histograms are bumped where the work happens (a few hundred nanoseconds each); everything that
needs a query (pending, lag, dead letters, outbox rows) is read only when Prometheus scrapes, by a collector.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, Table, func, select

from domains.kernel.bus import StreamBus, StreamStatus
from domains.kernel.clock import as_utc, utcnow

log = logging.getLogger(__name__)

EVENTS_APPLIED = Counter("ates_consumer_events_applied_total", "Events a consumer group applied", ["group"])
EVENTS_FAILED = Counter(
    "ates_consumer_events_failed_total", "Failed attempts to apply an event (outages not counted)", ["group"]
)
EVENTS_DEAD_LETTERED = Counter(
    "ates_consumer_events_dead_lettered_total", "Events a consumer group moved to a dead-letter stream", ["group"]
)
BATCH_SECONDS = Histogram(
    "ates_consumer_batch_seconds",
    "Time to apply and acknowledge one batch read from the bus",
    ["group"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RELAY_PUBLISH_SECONDS = Histogram(
    "ates_relay_publish_seconds",
    "Time to publish one batch of outbox rows to the bus and mark them published",
    ["outbox"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
RELAY_PUBLISHED = Counter("ates_relay_published_total", "Outbox rows the relay published", ["outbox"])


@dataclass(frozen=True)
class OutboxBacklog:
    outbox: str
    waiting: int
    oldest: datetime | None


def outbox_backlog(engine: Engine, outboxes: Iterable[Table]) -> list[OutboxBacklog]:
    """Each outbox's unpublished rows and when the oldest of them was written (through the partial index)."""
    found = []
    with engine.connect() as connection:
        for outbox in outboxes:
            waiting = outbox.c.published_at.is_(None)
            count, oldest = connection.execute(select(func.count(), func.min(outbox.c.created_at)).where(waiting)).one()
            found.append(OutboxBacklog(outbox.name, int(count), oldest))
    return found


class BacklogCollector(Collector):
    """At scrape time: each group's pending and lag, each stream's dead letters, each outbox's waiting rows."""

    def __init__(self, bus: StreamBus, engine: Engine, outboxes: list[Table]) -> None:
        self.bus = bus
        self.engine = engine
        self.outboxes = outboxes

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            yield from self._bus_gauges(self.bus.status())
        except Exception:  # an outage must not break the scrape: the other figures still tell something
            log.exception("could not read the bus for metrics")
        try:
            yield from self._outbox_gauges(outbox_backlog(self.engine, self.outboxes))
        except Exception:
            log.exception("could not read the outboxes for metrics")

    @staticmethod
    def _bus_gauges(streams: list[StreamStatus]) -> Iterator[GaugeMetricFamily]:
        labels = ["group", "stream"]
        pending = GaugeMetricFamily("ates_consumer_pending_messages", "Delivered, not yet acknowledged", labels=labels)
        lag = GaugeMetricFamily("ates_consumer_lag_messages", "Not yet delivered to the group", labels=labels)
        dead = GaugeMetricFamily("ates_stream_dead_letters", "Messages in the dead-letter stream", labels=["stream"])
        for stream in streams:
            dead.add_metric([stream.topic], stream.dead_letters)
            for group in stream.groups:
                pending.add_metric([group.name, stream.topic], group.pending)
                if group.lag is not None:
                    lag.add_metric([group.name, stream.topic], group.lag)
        yield from (pending, lag, dead)

    @staticmethod
    def _outbox_gauges(backlogs: list[OutboxBacklog]) -> Iterator[GaugeMetricFamily]:
        waiting = GaugeMetricFamily("ates_outbox_waiting_rows", "Outbox rows not yet published", labels=["outbox"])
        age = GaugeMetricFamily(
            "ates_outbox_oldest_waiting_age_seconds", "Age of the oldest unpublished row (0: none)", labels=["outbox"]
        )
        now = utcnow()
        for backlog in backlogs:
            waiting.add_metric([backlog.outbox], backlog.waiting)
            oldest = as_utc(backlog.oldest) if backlog.oldest is not None else None
            age.add_metric([backlog.outbox], max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
        yield from (waiting, age)
