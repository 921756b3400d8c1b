"""While PostgreSQL or Redis cannot be reached: a command or click is answered in time, with HTTP 200 and a private
word that nothing was changed; an Events API delivery gets a 5xx and is not remembered, so Slack's retry is taken."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import text

from bot.listeners.errors import OUTAGE
from bot.listeners.slack_retries import event_keys
from domains.kernel.settings import Settings
from jobs.runtime import Runtime
from tests.e2e.harness import free_port
from tests.fakes.gateway import serve_gateway
from tests.fakes.slack_api import FakeSlack, member
from tests.fakes.slack_requests import Reply, SlackSender

SECRET = "outage-signing-secret"
SLACK_DEADLINE_S = 3.0


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(members=[member("UADMIN", "Ada"), member("U1", "Alice")])
    fake.start()
    yield fake
    fake.stop()


def running(slack: FakeSlack, database_url: str, redis_url: str, prefix: str) -> Iterator[tuple[SlackSender, Runtime]]:
    settings = Settings(
        slack_api_url=slack.api_url,
        slack_signing_secret=SECRET,
        slack_bot_token="xoxb-outage",
        database_url=database_url,
        redis_url=redis_url,
        ates_stream_prefix=prefix,
    )
    runtime = Runtime.build(settings, answering=True)  # as app.py builds the gateway's
    try:
        with serve_gateway(runtime.services()) as url:
            yield SlackSender(url, SECRET), runtime
    finally:
        runtime.close()


@pytest.fixture
def redis_away(slack: FakeSlack, pg_url: str, stream_prefix: str) -> Iterator[tuple[SlackSender, Runtime]]:
    yield from running(slack, pg_url, f"redis://127.0.0.1:{free_port()}/0", stream_prefix)


@pytest.fixture
def database_away(slack: FakeSlack, redis_url: str, stream_prefix: str) -> Iterator[tuple[SlackSender, Runtime]]:
    yield from running(slack, f"postgresql://postgres@127.0.0.1:{free_port()}/ates", redis_url, stream_prefix)


def in_time(send: Callable[[], Reply]) -> Reply:
    started = time.monotonic()
    reply = send()
    assert reply.status == 200 and time.monotonic() - started < SLACK_DEADLINE_S, reply
    return reply


def test_with_redis_away_a_new_task_is_refused_in_time_and_nothing_is_queued_or_created(
    redis_away: tuple[SlackSender, Runtime], slack: FakeSlack
) -> None:
    sender, runtime = redis_away
    reply = in_time(lambda: sender.command("U1", "/task", "new Fix the beak", slack.response_url("new")))
    assert reply.json() == {"response_type": "ephemeral", "text": OUTAGE}
    with runtime.sessions() as session:
        assert session.execute(text("SELECT count(*) FROM tasks_tasks")).scalar_one() == 0
    assert slack.calls_to("response_url") == []  # the answer is the reply itself, once


def test_with_redis_away_a_click_gets_a_private_reply_and_an_event_a_5xx(
    redis_away: tuple[SlackSender, Runtime], slack: FakeSlack
) -> None:
    sender, _ = redis_away
    in_time(lambda: sender.click("U1", "task_done", "0b7c2b1e-3c1f-4c8e-9a55-1f0f3a3f7a10", slack.response_url("c")))
    [said] = slack.wait_for("response_url")
    assert said.args == {"text": OUTAGE, "response_type": "ephemeral", "replace_original": False}
    assert sender.event({"type": "user_change", "user": member("U1", "Alicia")}, "Ev1").status == 503


def test_with_the_database_away_reads_are_refused_and_an_event_is_left_for_slacks_retry(
    database_away: tuple[SlackSender, Runtime], slack: FakeSlack
) -> None:
    sender, runtime = database_away
    listing = in_time(lambda: sender.command("U1", "/task", "list", slack.response_url("list")))
    assert listing.json() == {"response_type": "ephemeral", "text": OUTAGE}
    event: dict[str, Any] = {"type": "user_change", "user": member("U1", "Alicia")}
    assert sender.event(event, "Ev2").status == 503
    body = {"team_id": "T1", "event_id": "Ev2", "event": event}
    assert not any(runtime.once.seen(key) for key in event_keys(body))  # Slack's next delivery is a first one
