"""Slack's repeated event deliveries (X-Slack-Retry-Num, or the same event under a new event_id) act once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any, cast

import pytest
import redis
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.orm import sessionmaker

from bot.listeners import slack_retries
from bot.listeners.middleware import WithServices
from bot.services import Services
from domains.kernel.commands import CommandBus
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.once import MemoryOnce, OnceGuard, RedisOnce
from domains.kernel.settings import Settings
from tests.fakes.slack_api import FakeSlack

SECRET = "retries-secret"


@pytest.fixture(params=["memory", "redis"])
def once(request: pytest.FixtureRequest) -> Iterator[OnceGuard]:
    if request.param == "memory":
        yield MemoryOnce()
        return
    client = redis.Redis.from_url(request.getfixturevalue("redis_url"), decode_responses=True)
    yield RedisOnce(client, request.getfixturevalue("stream_prefix"))
    client.close()


@pytest.fixture
def slack() -> Iterator[WebClient]:
    fake = FakeSlack()
    fake.start()
    yield WebClient(token="xoxb-test", base_url=fake.api_url)
    fake.stop()


def app_counting(once: OnceGuard, client: WebClient) -> tuple[App, list[dict[str, Any]]]:
    # Listeners run before the response here, so what the listener saw is complete when dispatch returns.
    app = App(signing_secret=SECRET, client=client, process_before_response=True)
    app.middleware(
        WithServices(
            Services(Settings(slack_signing_secret=SECRET), sessionmaker(), MemoryBus(), CommandBus(), once=once)
        )
    )
    slack_retries.register(app)
    seen: list[dict[str, Any]] = []

    @app.event("message")
    def record(event: dict[str, Any]) -> None:
        seen.append(event)

    return app, seen


def deliver(app: App, event_id: str, event: dict[str, Any], retry: int | None = None) -> int:
    body = json.dumps(
        {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id, "event": event}
    )
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body) or ""
    headers: dict[str, str | Sequence[str]] = {
        "content-type": "application/json",
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature,
    }
    if retry is not None:
        headers |= {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
    return app.dispatch(BoltRequest(body=body, headers=headers)).status


def message(ts: str, text: str = "hello") -> dict[str, Any]:
    return {"type": "message", "channel": "C1", "user": "U1", "text": text, "ts": ts, "event_ts": ts}


def test_retries_of_an_event_act_once(once: OnceGuard, slack: WebClient) -> None:
    app, seen = app_counting(once, slack)
    statuses = [deliver(app, "Ev1", message("100.1"), retry) for retry in (None, 1, 2, 3)]
    assert statuses == [200, 200, 200, 200]
    assert [e["ts"] for e in seen] == ["100.1"]


def test_the_same_message_under_a_new_event_id_acts_once(once: OnceGuard, slack: WebClient) -> None:
    app, seen = app_counting(once, slack)
    assert deliver(app, "Ev1", message("100.1")) == 200
    assert deliver(app, "Ev2", message("100.1")) == 200
    assert deliver(app, "Ev3", message("100.2", "another")) == 200
    assert [e["ts"] for e in seen] == ["100.1", "100.2"]


def test_events_are_remembered_for_at_least_ten_minutes(redis_url: str, stream_prefix: str, slack: WebClient) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    app, _seen = app_counting(RedisOnce(client, stream_prefix), slack)
    deliver(app, "Ev9", message("100.9"))
    ttls = [int(cast(int, client.ttl(key))) for key in client.scan_iter(match=f"{stream_prefix}once:slack-event:*")]
    client.close()
    assert len(ttls) == 2
    assert min(ttls) >= 600
