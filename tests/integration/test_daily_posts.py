"""Every closed day is posted once, whoever closed it: the close's BillingCycleClosed event is what is posted,
after analytics has applied every money event of that day, as one message showing the chart uploaded privately
first. A redelivery, a second close, an answer lost after Slack posted it or a poster killed before recording it
posts nothing more; a post Slack refused is tried again, showing the chart already uploaded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select, text

from bot import channel_posts
from bot.analytics_post import ChartProcessing, DailyPoster, post_daily_analytics
from bot.channel_posts import OncePost, PostUnderWay, post_once
from bot.message_sender import SlackUnavailable
from bot.slack_client import make_client
from domains.accounting.tables import AuditRecord
from domains.analytics.consumers import subscription as analytics_subscription
from domains.analytics.handlers import reset
from domains.kernel.consumer import Consumer, RetryPolicy
from domains.kernel.contracts import BILLING_CYCLES, BillingCycleClosed
from domains.kernel.events import Event
from domains.kernel.redis_bus import RedisBus
from domains.kernel.relay import relay_once
from domains.kernel.settings import Settings
from jobs.runtime import OUTBOXES
from tests.fakes.slack_api import FakeSlack
from tests.integration.cli import ates, ates_env
from tests.integration.ledger import Ledger
from tests.integration.posts import lease_runs_out

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

    def close(self) -> Event:
        """Close DAY (money worked on it), analytics caught up: the BillingCycleClosed to post."""
        work_the_day(self.ledger)
        self.ledger.clock.advance(days=1)
        self.ledger.close_due()
        self.relay()
        self.analytics_catches_up()
        (closed,) = self.ledger.emitted_events("BillingCycleClosed")
        return closed

    def new_poster(self) -> DailyPoster:
        """The poster of a new process: its own client, the same database."""
        client = make_client(Settings(slack_api_url=self.slack.api_url))
        return DailyPoster(client, self.ledger.sessions, "CANALYTICS", wait_s=0.05)

    def posts_recorded(self) -> list[Any]:
        with self.ledger.sessions() as session:
            return list(session.execute(text("SELECT key, channel_id, state, ts, file_id FROM bot_channel_posts")))


def image_of(message: dict[str, Any]) -> dict[str, Any]:
    (image,) = [block for block in message["blocks"] if block["type"] == "image"]
    return dict(image)


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
    (upload,) = posting.slack.calls_to("files.completeUploadExternal")
    assert "channel_id" not in upload.args  # a private file: the message shows it
    (file_id,) = [f["id"] for f in json.loads(upload.args["files"])]
    assert posting.slack.uploads[file_id].startswith(b"\x89PNG")
    (message,) = posting.slack.store.in_channel("CANALYTICS")  # one message: the numbers and the chart
    assert "1 worker in the negative" in message["text"] and "20 Nov: " in message["text"]
    image = image_of(message)
    assert image["slack_file"] == {"id": file_id} and "20 Nov: " in image["alt_text"]
    assert message["metadata"]["event_payload"] == {"key": "analytics-day:2026-11-20"}
    assert post_daily_analytics(posting.poster.client, posting.ledger.sessions, "CANALYTICS", DAY)  # by hand
    by_hand = posting.slack.store.in_channel("CANALYTICS")[1]
    assert by_hand["text"] == message["text"] and "metadata" not in by_hand
    assert image_of(by_hand)["slack_file"] != image["slack_file"]  # its own upload of the chart

    (event,) = posting.ledger.emitted_events("BillingCycleClosed")
    assert posting.poster.apply(event) is False  # a redelivery
    reset(posting.ledger.sessions)  # as `ates replay analytics` does first: the record of the post is the bot's
    assert posting.poster.apply(event) is False
    again = ates(posting.env, "close-day", "--date", DAY.isoformat())
    assert again.returncode == 0 and "nothing to close" in again.stdout
    posting.relay()
    posting.posts.poll(block_ms=1)
    assert len(posting.slack.calls_to("chat.postMessage")) == 2  # the post and the one by hand


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


def test_a_refused_post_is_tried_again_showing_the_chart_already_uploaded(posting: Posting) -> None:
    posting.close()
    posting.slack.fail_next["chat.postMessage"] = "channel_not_found"
    posting.posts.poll(block_ms=1)
    assert posting.slack.fail_next == {}  # Slack refused the post
    [(key, _, state, _, file_id)] = posting.posts_recorded()
    assert (key, state) == ("analytics-day:2026-11-20", "pending") and file_id is not None

    posting.posts.poll(block_ms=1)
    (message,) = posting.slack.store.in_channel("CANALYTICS")
    assert image_of(message)["slack_file"] == {"id": file_id}
    assert len(posting.slack.calls_to("files.getUploadURLExternal")) == 1  # uploaded once
    assert posting.slack.calls_to("conversations.history") == []  # a refusal needs no settling
    posting.ledger.clock.advance(days=1)
    posting.ledger.close_due()  # a day without money is posted too
    posting.relay()
    posting.analytics_catches_up()
    posting.posts.poll(block_ms=1)
    titles = [image_of(m)["title"]["text"] for m in posting.slack.store.in_channel("CANALYTICS")]
    assert [DAY.isoformat() in titles[0], (DAY + timedelta(days=1)).isoformat() in titles[1]] == [True, True]


def test_a_post_whose_answer_was_lost_is_settled_from_slacks_record_not_posted_twice(posting: Posting) -> None:
    closed = posting.close()
    posting.slack.drop_after_accepting["chat.postMessage"] = 1  # Slack posts it; the answer never arrives
    with pytest.raises(SlackUnavailable):  # an outage: the consumer waits it out, without counting it
        posting.poster.apply(closed)
    assert [row.state for row in posting.posts_recorded()] == ["posting"]  # the outcome is unknown

    assert posting.poster.apply(closed) is False  # the consumer's retry: Slack's record says it was posted
    (message,) = posting.slack.store.in_channel("CANALYTICS")
    assert len(posting.slack.calls_to("chat.postMessage")) == 1
    assert len(posting.slack.calls_to("files.getUploadURLExternal")) == 1
    [(_, channel, state, ts, _)] = posting.posts_recorded()
    assert (channel, state, ts) == ("CANALYTICS", "posted", message["ts"])
    history = posting.slack.calls_to("conversations.history")
    assert [call.args["channel"] for call in history] == ["CANALYTICS"]
    assert posting.slack.calls_to("conversations.open") == []  # a channel's history, not a DM's


def test_the_post_waits_until_slack_has_processed_the_chart(posting: Posting) -> None:
    """Slack refuses an image block naming a file it is still processing: the post waits for files.info's type."""
    closed = posting.close()
    posting.slack.processing_reads = 1_000  # still processing, however long the poster waits
    with pytest.raises(ChartProcessing):  # a NotYet: retried as long as it takes, never dead-lettered
        posting.poster.apply(closed)
    assert posting.slack.calls_to("chat.postMessage") == []
    [(_, _, state, _, file_id)] = posting.posts_recorded()
    assert state == "pending" and file_id is not None

    posting.slack.processing_reads = 0  # processed now
    assert posting.poster.apply(closed) is True
    (message,) = posting.slack.store.in_channel("CANALYTICS")
    assert image_of(message)["slack_file"] == {"id": file_id}
    assert len(posting.slack.calls_to("files.getUploadURLExternal")) == 1


class Killed(BaseException):
    """The process dying where it is raised (nothing after it runs, no handler catches it)."""


def test_a_new_poster_after_a_crash_between_the_post_and_its_record_posts_nothing(
    posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = posting.close()

    def killed(*_args: Any) -> None:
        raise Killed

    with monkeypatch.context() as dying:
        dying.setattr(channel_posts, "_posted", killed)
        with pytest.raises(Killed):
            posting.poster.apply(closed)

    restarted = posting.new_poster()
    with pytest.raises(PostUnderWay):  # whose post that was is not known: its lease is waited out first
        restarted.apply(closed)
    lease_runs_out(posting.ledger.sessions)
    assert restarted.apply(closed) is False
    assert len(posting.slack.store.in_channel("CANALYTICS")) == 1
    assert len(posting.slack.calls_to("chat.postMessage")) == 1
    assert [row.state for row in posting.posts_recorded()] == ["posted"]
    assert [call.args["channel"] for call in posting.slack.calls_to("conversations.history")] == ["CANALYTICS"]


def test_a_post_another_member_has_under_way_is_left_to_it_until_its_lease_runs_out(
    posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member holding the event too long has it handed over: the new member neither posts nor settles the post
    under way (Slack may not have it yet), until the first member's lease runs out."""
    closed = posting.close()

    def stuck(*_args: Any, **_kwargs: Any) -> None:
        raise Killed  # the first member is still waiting on Slack (here: never answers)

    with monkeypatch.context() as waiting:
        waiting.setattr(channel_posts, "attempt", stuck)
        with pytest.raises(Killed):
            posting.poster.apply(closed)

    other = posting.new_poster()
    with pytest.raises(PostUnderWay):  # a NotYet: retried, never dead-lettered
        other.apply(closed)
    assert posting.slack.calls_to("chat.postMessage") == [] and posting.slack.calls_to("conversations.history") == []
    lease_runs_out(posting.ledger.sessions)
    assert other.apply(closed) is True  # settled from Slack's record (not there), then posted
    assert len(posting.slack.store.in_channel("CANALYTICS")) == 1


def test_two_members_that_read_a_post_pending_at_once_post_it_once(posting: Posting) -> None:
    client, sessions = posting.poster.client, posting.ledger.sessions

    def members_b_message(_file_id: str | None) -> dict[str, Any]:
        return {"text": "b"}

    def members_a_message(_file_id: str | None) -> dict[str, Any]:
        # While member a builds its message, member b (which read the post pending too) posts it.
        assert post_once(client, sessions, OncePost("k", "CANALYTICS", members_b_message), "member-b")
        return {"text": "a"}

    with pytest.raises(PostUnderWay):
        post_once(client, sessions, OncePost("k", "CANALYTICS", members_a_message), "member-a")
    assert [message["text"] for message in posting.slack.store.in_channel("CANALYTICS")] == ["b"]
