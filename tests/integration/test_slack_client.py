"""The Web API client: kept connections, calls sent concurrently across channels, and a 429's Retry-After
obeyed by every client sharing the token through Redis."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from typing import cast
from urllib.error import URLError

import pytest
import redis
from prometheus_client import REGISTRY
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack_client import make_client
from bot.slack_pace import RedisPace
from domains.kernel.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.integration.slack_app import SlackApp


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack()
    slack.start()
    yield slack
    slack.stop()


def test_calls_from_one_thread_share_one_connection(fake: FakeSlack) -> None:
    client = make_client(Settings(slack_api_url=fake.api_url))
    for n in range(10):
        client.chat_postMessage(channel=f"U{n}", text="hello")
    client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert len(fake.calls_to("chat.postMessage")) == 10
    assert fake.connections == 1
    client.close()


def test_calls_to_different_channels_go_concurrently_on_a_connection_per_thread(fake: FakeSlack) -> None:
    fake.latency_s = 0.5
    client = make_client(Settings(slack_api_url=fake.api_url))
    started = time.monotonic()
    threads = [
        threading.Thread(target=client.chat_postMessage, kwargs={"channel": f"U{n}", "text": "hi"}) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.calls_to("chat.postMessage")) == 8
    assert time.monotonic() - started < 2.5  # one after another they would take 4 s
    assert fake.connections == 8
    client.close()


def test_the_fake_refuses_an_unpaced_burst_to_one_channel_with_a_retry_after(fake: FakeSlack) -> None:
    unpaced = WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[])
    unpaced.chat_postMessage(channel="C1", text="one")
    unpaced.chat_postMessage(channel="C1", text="two")  # Slack tolerates a short burst
    with pytest.raises(SlackApiError) as refusal:
        unpaced.chat_postMessage(channel="C1", text="three")
    assert refusal.value.response.status_code == 429
    assert refusal.value.response.headers["Retry-After"] == "1"
    assert [c.args["text"] for c in fake.calls_to("chat.postMessage")] == ["one", "two"]


def test_two_clients_sharing_redis_both_wait_out_a_429(fake: FakeSlack, redis_url: str, stream_prefix: str) -> None:
    settings = Settings(slack_api_url=fake.api_url)
    store = redis.Redis.from_url(redis_url, decode_responses=True)
    first, second = (make_client(settings, RedisPace(store, stream_prefix)) for _ in range(2))
    fake.rate_limit_next["views.publish"], fake.retry_after = 1, 2
    before = _sample("ates_slack_api_rate_limited_total", "views.publish")
    refused_first = threading.Thread(target=first.views_publish, kwargs={"user_id": "U1", "view": {"type": "home"}})
    refused_first.start()
    held = f"{stream_prefix}slack:pace:views.publish"
    while int(cast(int, store.pttl(held))) < 2500:  # the first has heard the 429 and holds the pace
        time.sleep(0.01)
    second.views_publish(user_id="U2", view={"type": "home"})
    refused_first.join()
    refused_at = fake.refused[0].at
    published = {c.args["user_id"]: c.at - refused_at for c in fake.calls_to("views.publish")}
    assert set(published) == {"U1", "U2"}
    assert min(published.values()) >= 1.95  # neither called again before the Retry-After had passed
    assert _sample("ates_slack_api_rate_limited_total", "views.publish") == before + 1
    store.close()


def test_every_call_is_counted_and_timed(fake: FakeSlack) -> None:
    calls, timed = _sample("ates_slack_api_calls_total", "auth.test"), _timed("auth.test")
    client = make_client(Settings(slack_api_url=fake.api_url))
    for _ in range(3):
        client.auth_test()
    assert _sample("ates_slack_api_calls_total", "auth.test") == calls + 3
    assert _timed("auth.test") == timed + 3


def _sample(name: str, method: str) -> float:
    return REGISTRY.get_sample_value(name, {"method": method}) or 0.0


def _timed(method: str) -> float:
    return _sample("ates_slack_api_call_seconds_count", method)


def test_listeners_call_slack_through_the_paced_client(app: SlackApp) -> None:
    before = _sample("ates_slack_api_calls_total", "views.open")
    app.sender.shortcut("U1", "create_task")  # Bolt would give the listener a plain WebClient of its own
    app.slack.wait_for("views.open")
    assert _sample("ates_slack_api_calls_total", "views.open") == before + 1


def test_a_call_whose_answer_is_lost_is_sent_again_only_by_a_client_that_keeps_its_connection_retries(
    fake: FakeSlack,
) -> None:
    client = make_client(Settings(slack_api_url=fake.api_url))
    careful = copy.copy(client)
    careful.retry_handlers = []  # as the notifier sends: it settles a lost answer from Slack's own record
    client.chat_postMessage(channel="U1", text="kept open")  # the connection the drop will hit is a kept one

    fake.drop_after_accepting["chat.postMessage"] = 1
    with pytest.raises(URLError):
        careful.chat_postMessage(channel="U2", text="once")
    assert [c.args["text"] for c in fake.calls_to("chat.postMessage")] == ["kept open", "once"]

    fake.drop_after_accepting["chat.postMessage"] = 1
    client.chat_postMessage(channel="U3", text="twice")
    assert [c.args["text"] for c in fake.calls_to("chat.postMessage")][2:] == ["twice", "twice"]
    client.close()


def test_a_post_held_back_by_its_channel_does_not_hold_up_another_channel(fake: FakeSlack) -> None:
    client = make_client(Settings(slack_api_url=fake.api_url))  # one post a second per channel
    client.chat_postMessage(channel="UA", text="first to A")
    second_to_a = threading.Thread(target=client.chat_postMessage, kwargs={"channel": "UA", "text": "second to A"})
    second_to_a.start()
    time.sleep(0.1)  # A's second post is waiting for A's slot, a second after its first
    client.chat_postMessage(channel="UB", text="to B")
    second_to_a.join()
    assert [call.args["text"] for call in fake.calls_to("chat.postMessage")] == ["first to A", "to B", "second to A"]
    client.close()
