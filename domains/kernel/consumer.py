"""Consuming a group's streams: apply each event once, acknowledge after commit, dead-letter poison."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import redis
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from domains.kernel.bus import Delivery, StreamBus
from domains.kernel.events import Event, InvalidEvent, Payload, contracts, parse_event
from domains.kernel.log_context import about, about_body, about_event
from domains.kernel.metrics import BATCH_SECONDS, EVENTS_APPLIED, EVENTS_DEAD_LETTERED, EVENTS_FAILED
from domains.kernel.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

U = TypeVar("U", bound=UnitOfWork)
# A handler takes the payload class it is registered for (the newest version: older ones are upcast first).
Handler = Callable[[U, Any, Event], None]

# The database or the bus is away (a restart, a dropped connection, a deadlock victim): wait and retry,
# without counting it against the event, which is not at fault.
OUTAGES = (OperationalError, InterfaceError, PoolTimeout, redis.ConnectionError, redis.TimeoutError, ConnectionError)
MAX_PAUSE_S = 10.0


class NotYet(Exception):
    """The event is sound but something it needs has not happened yet: retried after a pause, never dead-lettered."""


class Applier(Protocol):
    """A consumer group's name, its topics, the event classes it handles or ignores, and how it applies one event."""

    @property
    def group(self) -> str: ...

    @property
    def topics(self) -> tuple[str, ...]: ...

    @property
    def handles(self) -> frozenset[type[Payload]]: ...

    @property
    def ignores(self) -> frozenset[type[Payload]]: ...

    def apply(self, event: Event) -> bool: ...

    def apply_many(self, events: list[Event]) -> None:
        """Apply a batch, all or nothing (each event still once)."""


class UndeclaredEvents(Exception):
    """A group's topics carry an event class it neither handles nor ignores: found at start-up, not in production."""


def events_on(topics: Iterable[str]) -> frozenset[type[Payload]]:
    """The event classes consumers see on these topics: every version that is not upcast to another one."""
    wanted = set(topics)
    return frozenset(
        model for model in contracts().values() if model.TOPIC in wanted and model.upcast is Payload.upcast
    )


def check_declared(applier: Applier) -> None:
    """Every event class on the group's topics is handled or deliberately ignored, and nothing else is named."""
    carried = events_on(applier.topics)
    problems = [
        *(f"{kind.__name__} is neither handled nor ignored" for kind in carried - applier.handles - applier.ignores),
        *(f"{kind.__name__} is both handled and ignored" for kind in applier.handles & applier.ignores),
        *(f"{kind.__name__} is not on its topics" for kind in (applier.handles | applier.ignores) - carried),
    ]
    if problems:
        raise UndeclaredEvents(f"consumer group {applier.group!r}: {'; '.join(sorted(problems))}")


class OneByOne:
    """For appliers whose effects live outside the database (Slack calls): a batch is its events in turn.

    Each event is guarded on its own (a once-guard), so a batch that fails halfway is simply retried.
    """

    def apply(self, event: Event) -> bool:
        raise NotImplementedError

    def apply_many(self, events: list[Event]) -> None:
        for event in events:
            with about_event(event):
                self.apply(event)


@dataclass(frozen=True)
class Subscription(Generic[U]):
    """What a consumer group listens to and how it applies each event, in its own unit of work.

    `handlers` are keyed by event class; `ignores` names the classes on its topics it deliberately leaves alone.
    `prepare`, when given, sees the events about to be applied first (a whole batch at once), so a domain can
    load or create what they need together instead of event by event.
    """

    group: str
    topics: tuple[str, ...]
    handlers: Mapping[type[Payload], Handler[U]]
    unit_of_work: Callable[[], U]
    ignores: frozenset[type[Payload]] = field(default=frozenset())
    prepare: Callable[[U, list[Event]], None] | None = None

    def __post_init__(self) -> None:
        check_declared(self)

    @property
    def handles(self) -> frozenset[type[Payload]]:
        return frozenset(self.handlers)

    def apply(self, event: Event) -> bool:
        """Apply an event exactly once; False when it was already applied."""
        return bool(self._apply([event]))

    def apply_many(self, events: list[Event]) -> None:
        """Apply a batch in one transaction: one commit, one inbox and one outbox statement for all."""
        self._apply(events)

    def _apply(self, events: list[Event]) -> list[Event]:
        with self.unit_of_work() as uow:
            fresh = uow.first_times(events)
            if not fresh:
                return []
            if self.prepare is not None:
                self.prepare(uow, fresh)
            for event in fresh:
                payload = event.payload()
                handler = self.handlers.get(type(payload))
                if handler is not None:
                    uow.correlation_id = event.correlation  # what the handler emits carries it on
                    with about_event(event):
                        handler(uow, payload, event)
            uow.commit()
        return fresh


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing event is retried before it is dead-lettered."""

    max_attempts: int = 5
    backoff_s: float = 0.2  # the pause after the first failure; it doubles after each further one
    reclaim_idle_s: float = 30.0  # a message pending this long with a silent member is taken over

    def pause(self, failures: int) -> float:
        return float(min(self.backoff_s * 2 ** max(failures - 1, 0), MAX_PAUSE_S))


class Consumer:
    """One member of a consumer group."""

    def __init__(
        self, bus: StreamBus, subscription: Applier, name: str, *, policy: RetryPolicy | None = None, batch: int = 100
    ) -> None:
        self.bus = bus
        self.subscription = subscription
        self.name = name
        self.policy = policy or RetryPolicy()
        self.batch = batch
        self._failures: dict[str, int] = {}
        self._outages = 0  # consecutive polls that found the database or the bus away
        self._pause = 0.0  # how long to wait before the next poll (a retry's backoff)
        self._backlog = True  # at start, first finish what this consumer left pending
        check_declared(subscription)
        self.topics = list(subscription.topics)
        group = subscription.group
        self._applied, self._failed = EVENTS_APPLIED.labels(group), EVENTS_FAILED.labels(group)
        self._dead_lettered, self._batch_seconds = EVENTS_DEAD_LETTERED.labels(group), BATCH_SECONDS.labels(group)
        try:
            bus.ensure_group(subscription.group, self.topics)
        except OUTAGES:  # the bus is still starting: the first read that finds no group creates it
            log.exception("%s: bus unavailable at start", subscription.group)

    def poll(self, block_ms: int = 1000) -> int:
        """Read and apply one batch; returns how many messages were settled (acked or dead-lettered)."""
        group = self.subscription.group
        deliveries = self.bus.read(group, self.name, self.topics, self.batch, block_ms, self._backlog)
        if self._backlog and not deliveries:
            self._backlog = False
            deliveries = self.bus.read(group, self.name, self.topics, self.batch, block_ms, False)
        return self._settle(deliveries)

    def reclaim(self) -> int:
        """Apply what silent members of the group left pending for longer than the reclaim timeout."""
        group, idle_ms = self.subscription.group, int(self.policy.reclaim_idle_s * 1000)
        return self._settle(self.bus.reclaim(group, self.name, self.topics, idle_ms, self.batch))

    def _settle(self, deliveries: list[Delivery]) -> int:
        if not deliveries:
            return 0
        with self._batch_seconds.time():
            return self._settle_batch(deliveries)

    def _settle_batch(self, deliveries: list[Delivery]) -> int:
        if len(deliveries) > 1 and self._apply_together(deliveries):
            self.bus.ack(self.subscription.group, deliveries)
            self._applied.inc(len(deliveries))
            return len(deliveries)
        done: list[Delivery] = []
        for delivery in deliveries:
            if not self._handle(delivery):
                self._backlog = True  # it stays pending; the next poll starts again from it
                break
            done.append(delivery)
        if done:
            self.bus.ack(self.subscription.group, done)
        return len(done)

    def _apply_together(self, deliveries: list[Delivery]) -> bool:
        """The fast path: the whole batch in one go. On any trouble, False: one by one finds the culprit."""
        try:
            self.subscription.apply_many([parse_event(d.body) for d in deliveries])
        except Exception:  # the cause is logged: the one-by-one retry may succeed and say nothing more
            log.warning(
                "%s: a batch of %d failed; applying one by one", self.subscription.group, len(deliveries), exc_info=True
            )
            return False
        self._outages = 0
        return True

    def _handle(self, delivery: Delivery) -> bool:
        """Apply one message; True when it is settled, False to retry it after a pause."""
        with about_body(delivery.body):
            return self._handle_one(delivery)

    def _handle_one(self, delivery: Delivery) -> bool:
        group = self.subscription.group
        try:
            self.subscription.apply(parse_event(delivery.body))
            self._applied.inc()
        except InvalidEvent as error:
            self._dead_letter(delivery, str(error), 1)
        except OUTAGES:
            self._outages += 1
            self._pause = self.policy.pause(self._outages)
            log.exception("%s: database or bus unavailable; retrying %s", group, delivery.message_id)
            return False
        except NotYet as waiting:
            log.info("%s: %s; %s waits", group, waiting, delivery.message_id)
            self._pause = self.policy.pause(1)
            return False
        except Exception as error:  # a handler bug or bad data: retry with backoff, then dead-letter
            self._failed.inc()
            attempts = self._failures.get(delivery.message_id, 0) + 1
            self._failures[delivery.message_id] = attempts
            log.exception("%s failed on %s (attempt %d)", group, delivery.message_id, attempts)
            if attempts < self.policy.max_attempts:
                self._pause = self.policy.pause(attempts)
                return False
            self._dead_letter(delivery, f"{type(error).__name__}: {error}", attempts)
        self._outages = 0
        self._failures.pop(delivery.message_id, None)
        return True

    def _dead_letter(self, delivery: Delivery, error: str, attempts: int) -> None:
        log.error(
            "%s: dead-lettering %s after %d attempts: %s", self.subscription.group, delivery.message_id, attempts, error
        )
        self.bus.dead_letter(self.subscription.group, delivery, f"after {attempts} attempt(s): {error}")
        self._dead_lettered.inc()

    def run(self, stop: threading.Event, block_ms: int = 1000) -> None:
        """Consume until `stop` is set; the batch in hand is applied and acknowledged first."""
        with about(group=self.subscription.group):
            self._run(stop, block_ms)

    def _run(self, stop: threading.Event, block_ms: int) -> None:
        next_reclaim = time.monotonic()  # a member that died before this one started may have left work
        while not stop.is_set():
            self._pause = 0.0
            try:
                if time.monotonic() >= next_reclaim:
                    next_reclaim = time.monotonic() + self.policy.reclaim_idle_s / 2
                    self.reclaim()
                self.poll(block_ms)
                self._outages = self._outages if self._pause else 0
            except Exception:  # the bus is away, or answered an error: never end the loop over it
                self._outages += 1
                self._pause, self._backlog = self.policy.pause(self._outages), True
                log.exception("%s: bus unavailable", self.subscription.group)
            if self._pause:
                stop.wait(self._pause)
