"""Payout DMs: one per payment, even when Slack fails once and the event is retried or delivered twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import redis

from bot.payout_notifier import PayoutNotifier
from bot.slack_client import make_client
from domains.kernel.consumer import Consumer
from domains.kernel.contracts import BalanceCarriedOver, UserPaid
from domains.kernel.events import make_event
from domains.kernel.once import RedisOnce
from domains.kernel.redis_bus import RedisBus
from domains.kernel.settings import Settings
from tests.fakes.slack_api import FakeSlack

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


def test_each_payout_is_sent_once_even_after_a_failed_send(
    slack: FakeSlack, client: redis.Redis, stream_prefix: str
) -> None:
    bus = RedisBus(client, stream_prefix)
    notifier = PayoutNotifier(make_client(Settings(slack_api_url=slack.api_url)), RedisOnce(client, stream_prefix))
    consumer = Consumer(bus, notifier, "payouts-1")
    paid = make_event("accounting", UserPaid(user_id="U1", amount_cents=2_510, earned_cents=1_210, billing_cycle=DAY))
    carried = make_event(
        "accounting", BalanceCarriedOver(user_id="U2", balance_cents=-1_500, earned_cents=-1_500, billing_cycle=DAY)
    )
    slack.fail_next["chat.postMessage"] = "internal_error"
    bus.publish([(paid.topic, paid.to_json()), (carried.topic, carried.to_json()), (paid.topic, paid.to_json())])

    for _ in range(10):
        consumer.poll(block_ms=50)

    assert "chat.postMessage" not in slack.fail_next  # the first send failed, and was retried
    sent = {call.args["channel"]: call.args["text"] for call in slack.calls_to("chat.postMessage")}
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert sent["U1"] == (
        "You earned $12.10 on Fri 20 Nov 2026 (rewards minus fees). "
        "Your balance of $25.10 was paid to you; it starts again from $0.00."
    )
    assert "balance of -$15.00 carries over to the next day" in sent["U2"]
    assert "Nothing was paid" in sent["U2"]
