"""Every closed day is posted once, whoever closed it: the close's BillingCycleClosed event is what is posted,
after analytics has applied every money event of that day; a redelivery or a second close posts nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from bot.analytics_post import DailyPoster
from bot.slack_client import make_client
from domains.accounting.tables import AuditRecord
from domains.analytics.consumers import subscription as analytics_subscription
from domains.analytics.handlers import reset
from domains.kernel.consumer import Consumer, RetryPolicy
from domains.kernel.contracts import BILLING_CYCLES, BillingCycleClosed
from domains.kernel.redis_bus import RedisBus
from domains.kernel.relay import relay_once
from domains.kernel.settings import Settings
from jobs.runtime import OUTBOXES
from tests.fakes.slack_api import FakeSlack
from tests.integration.cli import ates, ates_env
from tests.integration.ledger import Ledger

DAY = date(2026, 11, 20)
MORNING = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TWO_TRIES = RetryPolicy(max_attempts=2, backoff_s=0.001)  # a second failure is dead-lettered


@dataclass
class Posting:
    ledger: Ledger
    bus: RedisBus
    slack: FakeSlack
    analytics: Consumer
    poster: DailyPoster
    posts: Consumer
    env: dict[str, str]

    def relay(self) -> int:
        return sum(relay_once(self.ledger.engine, outbox, self.bus) for outbox in OUTBOXES)

    def analytics_catches_up(self) -> None:
        while self.analytics.poll(block_ms=1):
            pass


@pytest.fixture
def posting(pg_url: str, redis_url: str, stream_prefix: str, slack: FakeSlack, tmp_path: Path) -> Iterator[Posting]:
    ledger = Ledger.on(pg_url, MORNING)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    bus = RedisBus(client, stream_prefix)
    sessions = ledger.sessions
    poster = DailyPoster(make_client(Settings(slack_api_url=slack.api_url)), sessions, "CANALYTICS", wait_s=0.05)
    analytics = Consumer(bus, analytics_subscription(sessions, ledger.timezone), "test", policy=TWO_TRIES)
    posts = Consumer(bus, poster, "test", policy=TWO_TRIES)
    yield Posting(ledger, bus, slack, analytics, poster, posts, ates_env(pg_url, redis_url, stream_prefix, tmp_path))
    client.close()
    ledger.dispose()


def work_the_day(ledger: Ledger) -> None:
    """Two workers finish a task each; a third is charged a fee and finishes nothing (negative at the day's end)."""
    for worker in ("U1", "U2"):
        ledger.complete(ledger.create(worker), worker)
    ledger.create("U3")


def test_a_day_closed_by_ates_close_day_is_posted_once_after_analytics_caught_up(posting: Posting) -> None:
    work_the_day(posting.ledger)
    closed = ates(posting.env, "close-day", "--date", DAY.isoformat())
    assert closed.returncode == 0, closed.stderr
    posting.relay()

    for _ in range(3):  # analytics has applied nothing of the day yet: the post waits, as long as it takes
        posting.posts.poll(block_ms=1)
    assert posting.slack.calls_to("chat.postMessage") == []
    assert posting.bus.dead_letters(BILLING_CYCLES) == []

    posting.analytics_catches_up()
    posting.posts.poll(block_ms=1)
    (message,) = posting.slack.calls_to("chat.postMessage")
    assert message.args["channel"] == "CANALYTICS" and "1 worker(s) in the negative" in message.args["text"]
    (upload,) = posting.slack.calls_to("files.completeUploadExternal")
    assert upload.args["channel_id"] == "CANALYTICS" and "20 Nov: " in upload.args["initial_comment"]
    (file_id,) = [f["id"] for f in json.loads(upload.args["files"])]
    assert posting.slack.uploads[file_id].startswith(b"\x89PNG")

    (event,) = posting.ledger.emitted_events("BillingCycleClosed")
    assert posting.poster.apply(event) is False  # a redelivery
    reset(posting.ledger.sessions)  # as `ates replay analytics` does first: the days posted stay posted
    assert posting.poster.apply(event) is False
    again = ates(posting.env, "close-day", "--date", DAY.isoformat())
    assert again.returncode == 0 and "nothing to close" in again.stdout
    posting.relay()
    posting.posts.poll(block_ms=1)
    assert len(posting.slack.calls_to("chat.postMessage")) == 1


def test_the_close_counts_every_money_event_of_its_day(posting: Posting) -> None:
    work_the_day(posting.ledger)
    posting.ledger.clock.advance(days=1)
    posting.ledger.close_due()
    (closed,) = posting.ledger.emitted("BillingCycleClosed")
    assert isinstance(closed, BillingCycleClosed) and closed.billing_cycle == DAY
    with posting.ledger.sessions() as session:
        records = session.execute(select(func.count()).where(AuditRecord.billing_cycle == DAY)).scalar_one()
    fees = sum(-r.amount_cents for r in posting.ledger.records("withdraw"))
    rewards = sum(r.amount_cents for r in posting.ledger.records("deposit"))
    payments = len(posting.ledger.records("payment"))
    assert payments == 2 and records == 3 + 2 + payments  # three fees, two rewards, two workers paid
    assert (closed.audit_records, closed.fees_cents, closed.rewards_cents) == (records, fees, rewards)


def test_no_channel_means_no_post(posting: Posting) -> None:
    work_the_day(posting.ledger)
    posting.ledger.clock.advance(days=1)
    posting.ledger.close_due()
    (event,) = posting.ledger.emitted_events("BillingCycleClosed")
    silent = DailyPoster(posting.poster.client, posting.ledger.sessions, None, wait_s=0.05)
    assert silent.apply(event) is False
    assert posting.slack.calls == []


def test_a_post_that_fails_is_tried_again_and_then_recorded(posting: Posting) -> None:
    work_the_day(posting.ledger)
    posting.ledger.clock.advance(days=1)
    posting.ledger.close_due()
    posting.relay()
    posting.analytics_catches_up()
    posting.slack.fail_next["chat.postMessage"] = "channel_not_found"
    posting.posts.poll(block_ms=1)
    assert posting.slack.calls_to("files.completeUploadExternal") == []
    assert posting.slack.fail_next == {}  # Slack refused the post
    posting.posts.poll(block_ms=1)
    assert len(posting.slack.calls_to("chat.postMessage")) == 1
    assert len(posting.slack.calls_to("files.completeUploadExternal")) == 1
    posting.ledger.clock.advance(days=1)
    posting.ledger.close_due()  # a day without money is posted too
    posting.relay()
    posting.analytics_catches_up()
    posting.posts.poll(block_ms=1)
    titles = [json.loads(c.args["files"])[0]["title"] for c in posting.slack.calls_to("files.completeUploadExternal")]
    assert [DAY.isoformat() in titles[0], (DAY + timedelta(days=1)).isoformat() in titles[1]] == [True, True]
