"""Every consumer accepts v1 task events, and a day of events in any order gives the same books and analytics."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.slack_client import make_client
from domains.accounting import consumers as accounting_consumers
from domains.accounting.handlers import AccountingUnitOfWork
from domains.accounting.model import PriceDraw, Prices
from domains.accounting.tables import PricedTask
from domains.accounting.tables import outbox as accounting_outbox
from domains.analytics import consumers as analytics_consumers
from domains.analytics import handlers as analytics_handlers
from domains.analytics.model import Span
from domains.analytics.queries import report
from domains.kernel.clock import cycle_of
from domains.kernel.consumer import OneByOne, Subscription
from domains.kernel.events import Event, Payload, parse_event
from domains.kernel.settings import Settings
from jobs.groups import NAMES
from jobs.runtime import Runtime
from tests.backbone import applied_count, ledger, recorded_day, reset_accounting
from tests.e2e.harness import eventually
from tests.fakes.slack_api import FakeSlack
from tests.fixtures import recorded_v1_events


@pytest.fixture
def slack() -> Iterator[WebClient]:
    fake = FakeSlack()
    fake.start()
    yield make_client(Settings(slack_api_url=fake.api_url))
    fake.stop()


def test_every_consumer_group_accepts_recorded_v1_task_events(runtime: Runtime, slack: WebClient) -> None:
    events = [parse_event(line) for line in recorded_v1_events()]
    assert {(e.event_name, e.event_version) for e in events} == {("TaskCreated", 1), ("TaskUpdated", 1)}
    for group in NAMES:
        applier = runtime.applier(group, slack)
        for event in events:
            applier.apply(event)  # raises if the group cannot take a v1 event
        consumer = runtime.consumer(group, slack)
        if "tasks" in applier.topics:  # and through the bus, as they arrive in production
            runtime.bus.publish([(e.topic, line) for e, line in zip(events, recorded_v1_events(), strict=True)])
            eventually(lambda c=consumer: c.poll(block_ms=50) == 0, bool)  # type: ignore[misc]
    assert runtime.bus.dead_letters("tasks") == []
    with runtime.sessions() as session:
        parrots = session.get(PricedTask, events[0].data["task_id"])
        assert parrots is not None
        assert (parrots.title, parrots.jira_id) == ("Feed the parrots twice", "UP-7")
        assert 1000 <= parrots.fee_cents <= 2000 and 2000 <= parrots.reward_cents <= 4000


class PricesByTask(PriceDraw):
    """Prices that depend only on the task, so runs that first see tasks in different orders can be compared."""

    current_task: str = ""

    def draw(self) -> Prices:
        number = uuid.UUID(self.current_task).int
        return Prices(1000 + number % 1001, 2000 + (number >> 20) % 2001)


@dataclass
class AccountingPricedByTask(OneByOne):
    """Accounting's own subscription, telling the price draw which task the event is about."""

    inner: Subscription[AccountingUnitOfWork]
    prices: PricesByTask

    @property
    def group(self) -> str:
        return self.inner.group

    @property
    def topics(self) -> tuple[str, ...]:
        return self.inner.topics

    @property
    def handles(self) -> frozenset[type[Payload]]:
        return self.inner.handles

    @property
    def ignores(self) -> frozenset[type[Payload]]:
        return self.inner.ignores

    def apply(self, event: Event) -> bool:
        self.prices.current_task = str(event.data["task_id"])
        return self.inner.apply(event)


def test_a_recorded_day_in_any_delivery_order_gives_the_same_books(runtime: Runtime) -> None:
    day = recorded_day()
    prices = PricesByTask()
    accounting = AccountingPricedByTask(
        accounting_consumers.subscription(runtime.sessions, prices, runtime.settings.timezone), prices
    )
    for event in day:
        accounting.apply(event)
    in_order = ledger(runtime.sessions)
    assert in_order.records.total() == 34 and len(in_order.balances) == 4  # 25 fees and 9 rewards, four workers

    rng = random.Random(2024)
    orders = [list(reversed(day))] + [rng.sample(day, len(day)) for _ in range(3)]
    for order in orders:
        reset_accounting(runtime.sessions)
        redelivered = order + rng.sample(order, 10)  # and some of them twice
        for event in redelivered:
            accounting.apply(event)
        assert applied_count(runtime.sessions) == len(day)
        assert ledger(runtime.sessions) == in_order


def test_analytics_of_a_recorded_day_is_the_same_in_any_delivery_order(runtime: Runtime) -> None:
    day = recorded_day()
    accounting = accounting_consumers.subscription(runtime.sessions, PriceDraw(), runtime.settings.timezone)
    for event in day:
        accounting.apply(event)
    with runtime.engine.connect() as connection:  # what accounting told the others about that day
        told = [parse_event(body) for body in connection.execute(select(accounting_outbox.c.body)).scalars()]
    everything = day + told
    analytics = analytics_consumers.subscription(runtime.sessions, runtime.settings.timezone)
    recorded_on = cycle_of(day[0].event_time, runtime.settings.timezone)  # the fixture's day, not today
    span = Span("day", recorded_on, recorded_on)
    for event in everything:
        analytics.apply(event)
    in_order = report(runtime.sessions, span, recorded_on)
    assert in_order.earnings_cents != 0 and in_order.most_expensive is not None
    assert in_order.days[0].most_expensive == in_order.most_expensive

    rng = random.Random(7)
    for order in [list(reversed(everything)), rng.sample(everything, len(everything))]:
        analytics_handlers.reset(runtime.sessions)
        for event in order + rng.sample(order, 10):
            analytics.apply(event)
        assert report(runtime.sessions, span, recorded_on) == in_order
