"""`/analytics` as Slack sends it (signed), and the daily post with its chart uploaded through files_upload_v2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.analytics_post import post_daily_analytics
from bot.gateway import build_app, wsgi
from bot.listeners.analytics_command import REFUSAL
from bot.services import Services
from bot.slack_client import make_client
from domains.analytics.consumers import subscription
from domains.kernel.clock import utcnow
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.settings import Settings
from tests.fakes.slack_api import FakeSlack, member
from tests.fakes.slack_requests import SlackSender
from tests.fakes.slack_text import shown_text
from tests.integration.analytics_events import completed, created_v2, fee, priced, record, reward
from tests.unit.png import read_png

SECRET = "analytics-signing-secret"
ROOT = Path(__file__).resolve().parents[2]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(members=[member("UADMIN", "Ada"), member("U1", "Alice")])
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def sessions(pg_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def settings(slack: FakeSlack, pg_url: str) -> Settings:
    return Settings(
        slack_api_url=slack.api_url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        database_url=pg_url,
        ates_admin_ids="UADMIN",
    )


@pytest.fixture
def sender(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[SlackSender]:
    app = build_app(Services(settings, sessions, MemoryBus()), make_client(settings))
    server: WSGIServer = make_server("127.0.0.1", 0, wsgi(app), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SlackSender(f"http://127.0.0.1:{server.server_port}/slack/events", SECRET)
    server.shutdown()
    server.server_close()
    thread.join()


def seed(sessions: sessionmaker[Session], cycle: date) -> None:
    """A worker charged two fees and paid one reward on `cycle`; the task is 'Fix the beak' (UP-42)."""
    analytics = subscription(sessions, ZoneInfo("UTC"))
    task_id = uuid.uuid4()
    at = datetime.combine(cycle, datetime.min.time(), UTC) + timedelta(hours=12)
    events = [
        created_v2(task_id, "Fix the beak", "UP-42"),
        *priced(task_id, 3_456),
        completed(task_id, at),
        fee("U1", 1_500, cycle),
        fee("U1", 1_000, cycle),
        reward("U1", 3_456, cycle),
        record("U1", -1_500, -1_500, cycle),
        record("U1", -1_000, -2_500, cycle),
    ]
    for event in events:
        analytics.apply(event)


def blocks_of(args: dict[str, Any]) -> str:
    blocks = args["blocks"]
    return json.dumps(json.loads(blocks) if isinstance(blocks, str) else blocks)


def test_a_worker_is_refused_and_shown_nothing(
    sender: SlackSender, slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    seed(sessions, utcnow().date())
    reply = sender.command("U1", "/analytics", "", slack.response_url("worker"))
    assert reply.status == 200
    assert reply.json() == {"response_type": "ephemeral", "text": REFUSAL}

    sender.command("UADMIN", "/analytics", "", slack.response_url("admin"))
    shown = slack.wait_for("response_url", where=lambda c: "blocks" in c.args)
    assert len(shown) == 1 and slack.calls_to("response_url") == shown  # the worker got the refusal alone


def test_an_admin_sees_today_by_default(sender: SlackSender, slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    today = utcnow().date()
    seed(sessions, today)
    assert sender.command("UADMIN", "/analytics", "", slack.response_url("today")).status == 200
    shown = slack.wait_for("response_url", where=lambda c: "blocks" in c.args)[0]
    assert shown.args["response_type"] == "ephemeral"
    rendered = blocks_of(shown.args)
    assert f"Analytics: {today.isoformat()}" in rendered
    assert "-$9.56" in rendered  # fees 15.00 + 10.00 - reward 34.56
    assert "in the negative now*\\n1" in rendered
    as_read = shown_text(json.loads(rendered))
    assert as_read.count("Fix the beak (UP-42), reward $34.56") == 3  # the day, its week, its month


def test_an_admin_asks_for_a_day_a_week_and_a_month(
    sender: SlackSender, slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    seed(sessions, date(2026, 11, 20))
    for name, text in [("day", "2026-11-20"), ("week", "week 2026-11-18"), ("month", "month 2026-11")]:
        sender.command("UADMIN", "/analytics", text, slack.response_url(name))
    found = {
        c.args["text"]: blocks_of(c.args) for c in slack.wait_for("response_url", 3, where=lambda c: "blocks" in c.args)
    }
    day, week, month = (next(b for t, b in found.items() if label in t) for label in ("2026-11-20:", "W47", "November"))
    assert "-$9.56" in day and day.count("Fix the beak") == 3
    assert "Earnings per day" in week and "Fri 20 Nov" in week and week.count("Fix the beak") == 1
    assert "-$9.56" in month and "Mon 30 Nov" in month


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "week 2026-11", "month nov", "2026-11-20 extra words"])
def test_bad_input_gets_the_usage_and_nothing_else(sender: SlackSender, slack: FakeSlack, text: str) -> None:
    reply = sender.command("UADMIN", "/analytics", text, slack.response_url("bad"))
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    assert "How to use `/analytics`" in body["text"] and "blocks" not in body
    assert (
        sender.command("UADMIN", "/analytics", "help", slack.response_url("help"))
        .json()["text"]
        .startswith("*How to use")
    )
    assert slack.calls_to("response_url") == []


def test_the_daily_post_carries_the_numbers_and_uploads_the_chart(
    settings: Settings, slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    cycle = date(2026, 11, 20)
    seed(sessions, cycle)
    client = make_client(settings)
    assert post_daily_analytics(client, sessions, "CANALYTICS", cycle)

    message = slack.calls_to("chat.postMessage")[0]
    assert message.args["channel"] == "CANALYTICS" and "-$9.56" in blocks_of(message.args)
    asked = slack.calls_to("files.getUploadURLExternal")[0]
    done = slack.calls_to("files.completeUploadExternal")[0]
    assert done.args["channel_id"] == "CANALYTICS"
    (file_id,) = [f["id"] for f in json.loads(done.args["files"])]
    chart = slack.uploads[file_id]
    assert int(asked.args["length"]) == len(chart) and asked.args["filename"] == "earnings-2026-11-20.png"
    assert read_png(chart).width > 0


def test_no_channel_means_no_post(settings: Settings, slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    assert not post_daily_analytics(make_client(settings), sessions, None, date(2026, 11, 20))
    assert slack.calls == []


def _cli(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ATES_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "jobs.cli", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_ates_analytics_post_posts_a_day_or_says_why_not(
    slack: FakeSlack, sessions: sessionmaker[Session], pg_url: str, redis_url: str, stream_prefix: str
) -> None:
    seed(sessions, date(2026, 11, 20))
    env = {"SLACK_API_URL": slack.api_url, "DATABASE_URL": pg_url, "REDIS_URL": redis_url}
    refused = _cli(["analytics-post", "--date", "2026-11-20"], ATES_STREAM_PREFIX=stream_prefix, **env)
    assert refused.returncode == 1 and "ATES_ANALYTICS_CHANNEL is not set" in refused.stderr
    assert slack.calls == []

    posted = _cli(["analytics-post", "--date", "2026-11-20"], ATES_ANALYTICS_CHANNEL="CAN", **env)
    assert posted.returncode == 0, posted.stderr
    assert "-$9.56" in blocks_of(slack.calls_to("chat.postMessage")[0].args)
    assert [call.args["channel_id"] for call in slack.calls_to("files.completeUploadExternal")] == ["CAN"]
    assert len(slack.uploads) == 1
