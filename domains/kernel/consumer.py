"""Consuming a group's streams: apply each event once, acknowledge after commit, dead-letter poison."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import DBAPIError

from domains.kernel.bus import Delivery, StreamBus
from domains.kernel.events import Event, InvalidEvent, Payload, parse_event
from domains.kernel.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Payload, Event], None]


class Applier(Protocol):
    """A consumer group's name, its topics, and how it applies one event (idempotently)."""

    @property
    def group(self) -> str: ...

    @property
    def topics(self) -> tuple[str, ...]: ...

    def apply(self, event: Event) -> bool: ...


@dataclass(frozen=True)
class Subscription:
    """What a consumer group listens to and how it applies each event, in its own unit of work."""

    group: str
    topics: tuple[str, ...]
    handlers: Mapping[str, Handler]
    unit_of_work: Callable[[], UnitOfWork]

    def apply(self, event: Event) -> bool:
        """Apply an event exactly once; False when it was already applied."""
        handler = self.handlers.get(event.event_name)
        with self.unit_of_work() as uow:
            if not uow.first_time(event):
                return False
            if handler is not None:
                handler(uow, event.payload(), event)
            uow.commit()
        return True


class Consumer:
    """One member of a consumer group."""

    def __init__(
        self,
        bus: StreamBus,
        subscription: Applier,
        name: str,
        *,
        max_attempts: int = 5,
        batch: int = 100,
        reclaim_idle_ms: int = 30_000,
    ) -> None:
        self.bus = bus
        self.subscription = subscription
        self.name = name
        self.max_attempts = max_attempts
        self.batch = batch
        self.reclaim_idle_ms = reclaim_idle_ms
        self._failures: dict[str, int] = {}
        self._backlog = True  # at start, first finish what this consumer left pending
        self.topics = list(subscription.topics)
        bus.ensure_group(subscription.group, self.topics)

    def poll(self, block_ms: int = 1000) -> int:
        """Read and apply one batch; returns how many messages were settled (acked or dead-lettered)."""
        group = self.subscription.group
        deliveries = self.bus.read(group, self.name, self.topics, self.batch, block_ms, self._backlog)
        if self._backlog and not deliveries:
            self._backlog = False
            deliveries = self.bus.read(group, self.name, self.topics, self.batch, block_ms, False)
        return self._settle(deliveries)

    def reclaim(self) -> int:
        """Apply what dead members of the group left pending."""
        group = self.subscription.group
        return self._settle(self.bus.reclaim(group, self.name, self.topics, self.reclaim_idle_ms, self.batch))

    def _settle(self, deliveries: list[Delivery]) -> int:
        done: list[Delivery] = []
        for delivery in deliveries:
            if not self._handle(delivery):
                self._backlog = True
                break
            done.append(delivery)
        if done:
            self.bus.ack(self.subscription.group, done)
        return len(done)

    def _handle(self, delivery: Delivery) -> bool:
        """Apply one message; True when it is settled, False to retry it later."""
        try:
            self.subscription.apply(parse_event(delivery.body))
        except InvalidEvent as error:
            self._dead_letter(delivery, str(error))
        except DBAPIError:
            log.exception("%s: database unavailable, will retry %s", self.subscription.group, delivery.message_id)
            return False
        except Exception as error:  # a handler bug or bad data: retry, then dead-letter
            attempts = self._failures.get(delivery.message_id, 0) + 1
            self._failures[delivery.message_id] = attempts
            log.exception("%s failed on %s (attempt %d)", self.subscription.group, delivery.message_id, attempts)
            if attempts < self.max_attempts:
                return False
            self._dead_letter(delivery, f"{type(error).__name__}: {error}")
        self._failures.pop(delivery.message_id, None)
        return True

    def _dead_letter(self, delivery: Delivery, error: str) -> None:
        log.error("%s: dead-lettering %s: %s", self.subscription.group, delivery.message_id, error)
        self.bus.dead_letter(self.subscription.group, delivery, error)

    def run(self, stop: threading.Event, block_ms: int = 1000) -> None:
        """Consume until `stop` is set; the batch in hand is finished first."""
        backoff = 0.05
        polls = 0
        while not stop.is_set():
            try:
                settled = self.poll(block_ms)
                polls += 1
                if polls % 30 == 0:
                    self.reclaim()
            except Exception:
                log.exception("%s: bus unavailable", self.subscription.group)
                settled = 0
                self._backlog = True
            if self._backlog and not settled:
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            else:
                backoff = 0.05
