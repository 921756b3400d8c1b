"""Analytics for a span agrees with figures recomputed from accounting's audit records, day by day and as of each
day's close; `ates replay analytics` rebuilds the same answers from the streams."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import redis

from domains.accounting.tables import AuditRecord
from domains.analytics.consumers import subscription as analytics_subscription
from domains.analytics.model import Span, parse_span
from domains.analytics.queries import Report, report
from domains.kernel.consumer import Consumer
from domains.kernel.redis_bus import RedisBus
from domains.kernel.relay import relay_once
from jobs.runtime import OUTBOXES
from tests.integration.cli import ates, ates_env
from tests.integration.ledger import Ledger

FIRST = date(2026, 11, 16)
DAYS = 5
WORKERS = ["U1", "U2", "U3", "U4"]


@dataclass
class Books:
    ledger: Ledger
    bus: RedisBus
    analytics: Consumer
    env: dict[str, str]

    def publish(self) -> None:
        """What tasks told accounting, and what accounting told everyone, on the streams; analytics applies it."""
        self.bus.publish([(event.topic, event.to_json()) for event in self.ledger.delivered])
        while sum(relay_once(self.ledger.engine, outbox, self.bus) for outbox in OUTBOXES):
            pass
        while self.analytics.poll(block_ms=1):
            pass

    @property
    def today(self) -> date:
        return self.ledger.clock().date()


@pytest.fixture
def books(pg_url: str, redis_url: str, stream_prefix: str, tmp_path: Path) -> Iterator[Books]:
    ledger = Ledger.on(pg_url, datetime.combine(FIRST, datetime.min.time(), UTC))
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    bus = RedisBus(client, stream_prefix)
    analytics = Consumer(bus, analytics_subscription(ledger.sessions, ledger.timezone), "test")
    yield Books(ledger, bus, analytics, ates_env(pg_url, redis_url, stream_prefix, tmp_path))
    client.close()
    ledger.dispose()


def work_days(ledger: Ledger) -> None:
    """Each day: yesterday closes (pays, carries debts), then tasks are assigned at random and some completed."""
    rng = random.Random(1)
    for number in range(DAYS):
        day = FIRST + timedelta(days=number)
        ledger.clock.now = datetime.combine(day, time(0, 1), UTC)
        ledger.close_due()
        for hour in range(rng.randint(3, 7)):
            ledger.clock.now = datetime.combine(day, time(8 + hour), UTC)
            worker = rng.choice(WORKERS)
            task_id = ledger.create(worker, title=f"task {number}.{hour}")
            if rng.random() < 0.6:
                ledger.complete(task_id, worker)


def recomputed(records: list[AuditRecord], span: Span, today: date) -> list[tuple[date, int, int, int | None]]:
    """From the audit log alone: each day's earnings, users owing money at its end (now, today), top reward."""
    figures = []
    for day in span.days_through(today):
        of_day = [r for r in records if r.billing_cycle == day]
        earnings = -sum(r.amount_cents for r in of_day if r.kind in ("withdraw", "deposit"))
        balances: dict[str, int] = {}
        for r in records:
            if r.billing_cycle <= day or day == today:
                balances[r.user_id] = balances.get(r.user_id, 0) + r.amount_cents
        rewards = [r.amount_cents for r in of_day if r.kind == "deposit"]
        figures.append((day, earnings, sum(b < 0 for b in balances.values()), max(rewards, default=None)))
    return figures


def shown(answer: Report) -> list[tuple[date, int, int, int | None]]:
    return [
        (d.day, d.earnings_cents, d.workers_in_negative, d.most_expensive.reward_cents if d.most_expensive else None)
        for d in answer.days
    ]


def test_a_span_agrees_with_the_audit_records_day_by_day(books: Books) -> None:
    work_days(books.ledger)
    books.publish()
    records = books.ledger.records()
    for text in ("2026-11-16..2026-11-20", "2026-11-17..2026-11-18", "week 2026-11-16", "2026-11-19", ""):
        span = parse_span(text, books.today)
        answer = report(books.ledger.sessions, span, books.today)
        assert shown(answer) == recomputed(records, span, books.today), text
    week = recomputed(records, parse_span("week", books.today), books.today)
    assert any(negative for _, _, negative, _ in week) and any(cents < 0 for _, cents, _, _ in week)
    assert len({negative for _, _, negative, _ in week}) > 1  # the count changes from day to day: as of then
    top = report(books.ledger.sessions, parse_span("week", books.today), books.today).most_expensive
    assert top is not None and top.reward_cents == max(r.amount_cents for r in records if r.kind == "deposit")


def test_a_replay_from_the_streams_gives_the_same_answers(books: Books) -> None:
    work_days(books.ledger)
    books.publish()
    spans = [parse_span(text, books.today) for text in ("week", "month", "2026-11-17..2026-11-19", "")]
    before = [report(books.ledger.sessions, span, books.today) for span in spans]
    assert any(answer.most_expensive for answer in before)
    replayed = ates(books.env, "replay", "analytics")
    assert replayed.returncode == 0, replayed.stderr
    assert "replay analytics: applied" in replayed.stdout
    assert [report(books.ledger.sessions, span, books.today) for span in spans] == before
