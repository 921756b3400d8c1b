"""`/analytics` as Slack sends it (signed), and the daily post: one message showing its chart, uploaded privately
through files_upload_v2 first."""

from __future__ import annotations

import io
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
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from bot.analytics_post import post_daily_analytics
from bot.gateway import build_app, wsgi
from bot.listeners.analytics_command import REFUSAL
from bot.services import Services
from bot.slack_client import make_client
from domains.accounting.handlers import AccountingUnitOfWork
from domains.accounting.model import PriceDraw
from domains.analytics.consumers import subscription
from domains.kernel.clock import format_cents
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.settings import Settings
from jobs.runtime import domain_commands
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlack, member
from tests.fakes.slack_requests import SlackSender
from tests.fakes.slack_text import shown_text
from tests.integration.analytics_events import completed, created_v2, fee, priced, record, reward
from tests.integration.ledger import Ledger

SECRET = "analytics-signing-secret"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
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
        ates_timezone="UTC",
        slack_api_url=slack.api_url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        database_url=pg_url,
        ates_admin_ids="UADMIN",
    )


@pytest.fixture
def sender(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[SlackSender]:
    accounting = lambda: AccountingUnitOfWork(sessions, PriceDraw(), settings.timezone)  # noqa: E731
    services = Services(settings, sessions, MemoryBus(), domain_commands(sessions, accounting), clock=FakeClock(NOW))
    app = build_app(services, make_client(settings))
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
    return json.dumps(json.loads(blocks) if isinstance(blocks, str) else blocks, ensure_ascii=False)


def shown(slack: FakeSlack, count: int = 1) -> list[dict[str, Any]]:
    """The answers with blocks sent to response_url so far (after the ack, in the background)."""
    return [c.args for c in slack.wait_for("response_url", count, where=lambda c: "blocks" in c.args)]


def test_a_worker_is_refused_and_shown_nothing(
    sender: SlackSender, slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    seed(sessions, TODAY)
    reply = sender.command("U1", "/analytics", "", slack.response_url("worker"))
    assert reply.status == 200
    assert reply.json() == {"response_type": "ephemeral", "text": REFUSAL}

    sender.command("UADMIN", "/analytics", "", slack.response_url("admin"))
    answers = slack.wait_for("response_url", where=lambda c: "blocks" in c.args)
    assert len(answers) == 1 and slack.calls_to("response_url") == answers  # the worker got the refusal alone


def test_an_admin_sees_today_by_default(sender: SlackSender, slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    seed(sessions, TODAY)
    assert sender.command("UADMIN", "/analytics", "", slack.response_url("today")).status == 200
    (answer,) = shown(slack)
    assert answer["response_type"] == "ephemeral"
    rendered = blocks_of(answer)
    assert f"Analytics: {TODAY.isoformat()}" in rendered
    assert "-$9.56" in rendered  # fees 15.00 + 10.00 - reward 34.56
    assert "1 worker in the negative" in shown_text(json.loads(rendered))
    as_read = shown_text(json.loads(rendered))
    assert as_read.count("Fix the beak (UP-42), reward $34.56") == 2  # the span's and its day's


def test_an_admin_asks_for_a_day_a_week_a_month_and_a_span(
    sender: SlackSender, slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    seed(sessions, date(2026, 11, 20))
    asked = [("2026-11-20", "2026-11-20:"), ("week 2026-11-18", "W47"), ("month 2026-11", "November")]
    asked.append(("2026-11-19..2026-11-21", "2026-11-19 to 2026-11-21"))
    for number, (text, _) in enumerate(asked):
        sender.command("UADMIN", "/analytics", text, slack.response_url(f"ask{number}"))
    found = {answer["text"]: blocks_of(answer) for answer in shown(slack, len(asked))}
    day, week, month, span = (next(b for t, b in found.items() if label in t) for _, label in asked)
    assert "-$9.56" in day and day.count("Fix the beak") == 2
    assert "Fri 20 Nov 2026" in week and "Sun 22 Nov 2026" in week and week.count("Fix the beak") == 2
    assert "-$9.56" in month and "Wed 25 Nov 2026" in month and "Thu 26 Nov" not in month  # no numbers yet
    as_read = shown_text(json.loads(span))
    assert "Thu 19 Nov 2026: earned $0.00 · 0 workers" in as_read
    assert "Sat 21 Nov 2026: earned $0.00 · 1 worker in" in as_read


def test_a_long_span_pages_within_slacks_block_limit(
    sender: SlackSender, slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    seed(sessions, date(2026, 11, 20))
    sender.command("UADMIN", "/analytics", "2026-01-01..2026-11-25", slack.response_url("year"))
    (first,) = shown(slack)
    blocks = json.loads(blocks_of(first))
    assert len(blocks) <= 50 and "Page 1 of 11" in json.dumps(blocks) and "Thu 01 Jan 2026" in json.dumps(blocks)
    (next_page,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert next_page["action_id"] == "analytics_page_next"
    sender.click("UADMIN", "analytics_page_next", next_page["value"], slack.response_url("page2"))
    second = shown(slack, 2)[1]
    assert second["replace_original"] is True
    assert "Page 2 of 11" in blocks_of(second) and "Sun 01 Feb 2026" in blocks_of(second)
    assert "-$9.56" in second["text"]  # the whole span's earnings, on every page


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-11-20..2026-11-01", "The span ends (2026-11-01) before it starts (2026-11-20)."),
        ("2025-01-01..2026-11-20", "The span is 689 days long; ask for a year at most."),
        ("2026-11-26", "2026-11-26 is in the future (today is 2026-11-25)."),
        ("2026-13-01", "'2026-13-01' is not a date (YYYY-MM-DD) or a month (YYYY-MM)."),
        ("week 2026-11", "'2026-11' is not a date (YYYY-MM-DD) or a month (YYYY-MM)."),
        ("2026-11-20 extra words", "I can't read '2026-11-20 extra words'."),
    ],
)
def test_bad_input_gets_one_line_and_the_usage_and_nothing_else(
    sender: SlackSender, slack: FakeSlack, text: str, reason: str
) -> None:
    body = sender.command("UADMIN", "/analytics", text, slack.response_url("bad")).json()
    assert body["response_type"] == "ephemeral" and "blocks" not in body
    first_line, usage = body["text"].split("\n", 1)
    assert first_line == reason and usage.startswith("*How to use `/analytics`*")
    help_text = sender.command("UADMIN", "/analytics", "help", slack.response_url("help")).json()["text"]
    assert help_text.startswith("*How to use")
    assert slack.calls_to("response_url") == []


def test_the_daily_post_is_one_message_with_the_numbers_and_the_chart_uploaded_privately(
    settings: Settings, slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    cycle = date(2026, 11, 20)
    seed(sessions, cycle)
    client = make_client(settings)
    assert post_daily_analytics(client, sessions, "CANALYTICS", cycle)

    asked = slack.calls_to("files.getUploadURLExternal")[0]
    done = slack.calls_to("files.completeUploadExternal")[0]
    assert "channel_id" not in done.args and "initial_comment" not in done.args  # shared with no channel
    (file_id,) = [f["id"] for f in json.loads(done.args["files"])]
    chart = slack.uploads[file_id]
    assert int(asked.args["length"]) == len(chart) and asked.args["filename"] == "earnings-2026-11-20.png"
    assert Image.open(io.BytesIO(chart)).size == (1200, 600)

    (message,) = slack.calls_to("chat.postMessage")
    assert message.args["channel"] == "CANALYTICS" and "-$9.56" in blocks_of(message.args)
    (image,) = [b for b in json.loads(blocks_of(message.args)) if b["type"] == "image"]
    assert image["slack_file"] == {"id": file_id} and "20 Nov: -$9.56" in image["alt_text"]
    summary, numbers = message.args["text"].split("\n")  # what a notification and a screen reader say
    assert "management earned -$9.56" in summary and numbers == image["alt_text"]


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
    (message,) = slack.calls_to("chat.postMessage")
    assert message.args["channel"] == "CAN" and "-$9.56" in blocks_of(message.args)
    (image,) = [b for b in json.loads(blocks_of(message.args)) if b["type"] == "image"]
    assert list(slack.uploads) == [image["slack_file"]["id"]]


def test_accounting_takes_a_day_or_a_span_the_same_way(sender: SlackSender, slack: FakeSlack, pg_url: str) -> None:
    ledger = Ledger.on(pg_url, datetime(2026, 11, 19, 10, 0, tzinfo=UTC))
    ledger.complete(ledger.create("U1"), "U1")
    earned = -sum(r.amount_cents for r in ledger.records())  # fee minus reward, all on the 19th
    ledger.dispose()
    asked = ["2026-11-19", "2026-11-18..2026-11-20", "2025-11-26..2026-11-25"]
    for number, text in enumerate(asked):
        sender.command("UADMIN", "/accounting", text, slack.response_url(f"accounting{number}"))
    calls = slack.wait_for("response_url", len(asked), where=lambda c: "blocks" in c.args)
    answers = {c.path: json.loads(blocks_of(c.args)) for c in calls}
    day, span, year = (answers[f"/response/accounting{n}"] for n in range(len(asked)))
    assert f"on Thu 19 Nov 2026: *{format_cents(earned)}*" in json.dumps(day, ensure_ascii=False)
    assert "days before" not in json.dumps(day)
    rendered = json.dumps(span, ensure_ascii=False)
    assert "on Fri 20 Nov 2026: *$0.00*" in rendered and "The 2 days before" in rendered
    assert f"`Thu 19 Nov 2026`  {format_cents(earned)}" in rendered and "Tue 17 Nov" not in rendered
    assert len(year) <= 50 and "The 364 days before" in json.dumps(year)
    assert all(len(b["text"]["text"]) <= 3000 for b in year if b["type"] == "section" and "text" in b)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-11-20..2026-11-01", "The span ends (2026-11-01) before it starts (2026-11-20)."),
        ("2025-01-01..2026-11-20", "The span is 689 days long; ask for a year at most."),
        ("month 2026-12", "2026-12-01 is in the future (today is 2026-11-25)."),
        ("2026-11-31", "'2026-11-31' is not a date (YYYY-MM-DD) or a month (YYYY-MM)."),
        ("page 0", "There is no page 0."),
    ],
)
def test_accounting_refuses_a_bad_span_in_one_line_with_the_usage(
    sender: SlackSender, slack: FakeSlack, text: str, reason: str
) -> None:
    body = sender.command("UADMIN", "/accounting", text, slack.response_url("bad")).json()
    first_line, usage = body["text"].split("\n", 1)
    assert first_line == reason and usage.startswith("*How to use `/accounting`*")
    assert slack.calls_to("response_url") == []
