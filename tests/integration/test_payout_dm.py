"""Payout DMs: one per payment, even when Slack refuses once, the answer to a DM is lost after Slack posted it, the
process dies before recording it, or the event is delivered twice. The record is in PostgreSQL (no Redis), and an
unknown outcome is settled from Slack's own record: the key in the DM's metadata."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import redis
from slack_sdk.errors import SlackApiError
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot import channel_posts
from bot.channel_posts import PostUnderWay
from bot.message_sender import SlackUnavailable
from bot.payout_notifier import PayoutNotifier
from bot.slack_client import make_client
from domains.kernel.consumer import Consumer
from domains.kernel.contracts import BalanceCarriedOver, UserPaid
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.events import Event, make_event
from domains.kernel.redis_bus import RedisBus
from domains.kernel.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.integration.posts import lease_runs_out

DAY = date(2026, 11, 20)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url, decode_responses=True)
    yield connection
    connection.close()


@pytest.fixture
def sessions(pg_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()


def notifier_of(slack: FakeSlack, sessions: sessionmaker[Session]) -> PayoutNotifier:
    """As the runtime builds it, with a client of its own (a new process's)."""
    return PayoutNotifier(make_client(Settings(slack_api_url=slack.api_url)), sessions)


def paid() -> Event:
    return make_event("accounting", UserPaid(user_id="U1", amount_cents=2_510, earned_cents=1_210, billing_cycle=DAY))


def rows(sessions: sessionmaker[Session]) -> list[Any]:
    with sessions() as session:
        return list(session.execute(text("SELECT key, channel_id, state, ts FROM bot_channel_posts")).all())


def test_each_payout_is_sent_once_even_after_a_refused_send(
    slack: FakeSlack, client: redis.Redis, stream_prefix: str, sessions: sessionmaker[Session]
) -> None:
    bus, notifier, payment = RedisBus(client, stream_prefix), notifier_of(slack, sessions), paid()
    carried = make_event(
        "accounting", BalanceCarriedOver(user_id="U2", balance_cents=-1_500, earned_cents=-1_500, billing_cycle=DAY)
    )
    slack.fail_next["chat.postMessage"] = "internal_error"
    with pytest.raises(SlackApiError):  # Slack refused: nothing was posted, and the consumer tries again
        notifier.apply(payment)
    assert "chat.postMessage" not in slack.fail_next and slack.calls_to("chat.postMessage") == []
    assert [row.state for row in rows(sessions)] == ["pending"]

    consumer = Consumer(bus, notifier, "payouts-1")
    bus.publish([(payment.topic, payment.to_json()), (carried.topic, carried.to_json())])
    bus.publish([(payment.topic, payment.to_json())])  # delivered twice
    for _ in range(10):
        consumer.poll(block_ms=50)

    sent = {call.args["channel"]: call.args["text"] for call in slack.calls_to("chat.postMessage")}
    assert len(slack.calls_to("chat.postMessage")) == 2 and slack.calls_to("conversations.history") == []
    assert sent["U1"] == (
        "You earned $12.10 on Fri 20 Nov 2026 (rewards minus fees). "
        "Your balance of $25.10 was paid to you; it starts again from $0.00."
    )
    assert "balance of -$15.00 carries over to the next day" in sent["U2"]
    assert "Nothing was paid" in sent["U2"]
    posted = {row.key: (row.channel_id, row.state) for row in rows(sessions)}
    assert posted == {
        f"payout-dm:{payment.event_id}": ("DU1", "posted"),
        f"payout-dm:{carried.event_id}": ("DU2", "posted"),
    }


def test_a_dm_whose_answer_was_lost_is_settled_from_slacks_record_not_sent_again(
    slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    notifier, payment = notifier_of(slack, sessions), paid()
    slack.drop_after_accepting["chat.postMessage"] = 1  # Slack posts it; the answer never arrives
    with pytest.raises(SlackUnavailable):  # an outage: the consumer waits it out, without counting it
        notifier.apply(payment)
    assert [row.state for row in rows(sessions)] == ["posting"]  # the outcome is unknown

    assert notifier.apply(payment) is False  # the consumer's retry: Slack's record says it was posted
    [dm] = slack.store.in_channel("DU1")
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert dm["metadata"]["event_payload"] == {"key": f"payout-dm:{payment.event_id}"}
    assert [tuple(row) for row in rows(sessions)] == [(f"payout-dm:{payment.event_id}", "DU1", "posted", dm["ts"])]
    # A DM to a user id is found in their DM channel: the first one to them needs conversations.open.
    assert len(slack.calls_to("conversations.open")) == 1 and len(slack.calls_to("conversations.history")) == 1


class Killed(BaseException):
    """The process dying where it is raised (nothing after it runs, no handler catches it)."""


def test_a_new_notifier_after_a_crash_between_the_dm_and_its_record_sends_nothing(
    slack: FakeSlack, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier_of(slack, sessions).apply(paid())  # an earlier DM: Slack named the DM channel, kept since
    payment = paid()

    def killed(*_args: Any) -> None:
        raise Killed

    with monkeypatch.context() as dying:
        dying.setattr(channel_posts, "_posted", killed)
        with pytest.raises(Killed):
            notifier_of(slack, sessions).apply(payment)

    restarted = notifier_of(slack, sessions)
    with pytest.raises(PostUnderWay):  # whose DM that was is not known: its lease is waited out first
        restarted.apply(payment)
    lease_runs_out(sessions)
    assert restarted.apply(payment) is False
    assert len(slack.store.in_channel("DU1")) == 2 and len(slack.calls_to("chat.postMessage")) == 2
    assert {row.state for row in rows(sessions)} == {"posted"}
    history = slack.calls_to("conversations.history")
    assert [call.args["channel"] for call in history] == ["DU1"] and slack.calls_to("conversations.open") == []
