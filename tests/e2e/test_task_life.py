"""One task's whole life, driven as Slack drives it, on both runtimes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.queries import audit_check, audit_log, balance_of
from domains.kernel.db import make_engine, make_session_factory
from tests.e2e.harness import SIGNING_SECRET, System, base_env, eventually
from tests.fakes.slack_api import Call, FakeSlack, member
from tests.fakes.slack_requests import SlackSender
from tests.integration.ledger import recorded_cycles

T = TypeVar("T")
WORKERS = {"U1", "U2"}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(
        members=[
            member("UADMIN", "Ada"),
            member("U1", "Alice"),
            member("U2", "Bob"),
            member("UB", "Robot", is_bot=True),
            member("USLACKBOT", "Slackbot"),
            member("UGONE", "Gone", deleted=True),
        ]
    )
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(params=["embedded", "postgres+redis"])
def system(
    request: pytest.FixtureRequest, slack: FakeSlack, tmp_path: Path
) -> Iterator[tuple[System, sessionmaker[Session]]]:
    if request.param == "embedded":
        env = base_env(slack.api_url, ATES_DATA_DIR=str(tmp_path / "var"))
        database = f"sqlite:///{tmp_path / 'var' / 'ates.sqlite3'}"
    else:
        database = request.getfixturevalue("pg_url")
        env = base_env(
            slack.api_url,
            DATABASE_URL=database,
            REDIS_URL=request.getfixturevalue("redis_url"),
            ATES_STREAM_PREFIX=request.getfixturevalue("stream_prefix"),
        )
    running = System(env, tmp_path)
    running.start(distributed=request.param != "embedded")
    engine = make_engine(database)
    yield running, make_session_factory(engine)
    running.stop()
    engine.dispose()


def count_workers(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.execute(text("SELECT count(*) FROM tasks_members WHERE role = 'worker'")).scalar_one())


def button_value(call: Call) -> str:
    blocks = json.loads(call.args["blocks"]) if isinstance(call.args["blocks"], str) else call.args["blocks"]
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return str(buttons[0]["value"])


def test_a_task_from_command_to_money(system: tuple[System, sessionmaker[Session]], slack: FakeSlack) -> None:
    running, sessions = system
    sender = SlackSender(running.url, SIGNING_SECRET)
    eventually(lambda: count_workers(sessions), lambda n: n == 2)

    reply = sender.command("UADMIN", "/task", "new [UP-42] Fix the beak", slack.response_url("create"))
    assert reply.status == 200
    created = slack.wait_for("response_url", where=lambda c: "Fix the beak" in c.args.get("text", ""))[0]
    assert "(UP-42)" in created.args["text"]
    dm = slack.wait_for("chat.postMessage")[0]
    assignee = dm.args["channel"].removeprefix("D")
    assert assignee in WORKERS
    assert f"<@{assignee}>" in created.args["text"]
    task_id = button_value(dm)

    fee = -eventually(lambda: balance_of(sessions, assignee), lambda b: b != 0)
    assert 1000 <= fee <= 2000

    other = (WORKERS - {assignee}).pop()
    sender.click(other, "task_done", task_id, slack.response_url("wrong"))
    refusal = slack.wait_for("response_url", where=lambda c: "Only the task's assignee" in c.args.get("text", ""))
    assert refusal[0].args["response_type"] == "ephemeral"

    sender.click(assignee, "task_done", task_id, slack.response_url("done"), message={"ts": "9.1", "text": ""})
    update = slack.wait_for("chat.update")[0]
    assert update.args["ts"] == "9.1" and "Done" in update.args["text"]
    balance = eventually(lambda: balance_of(sessions, assignee), lambda b: b != -fee)
    reward = balance + fee
    assert 2000 <= reward <= 4000
    assert balance_of(sessions, other) == 0

    sender.command(assignee, "/balance", "", slack.response_url("balance"))
    shown = slack.wait_for("response_url", where=lambda c: "balance" in c.args.get("text", ""))[0]
    rendered = json.dumps(shown.args["blocks"])
    assert "Fix the beak" in rendered and "UP-42" in rendered
    lines = [line for cycle in recorded_cycles(sessions) for line in audit_log(sessions, assignee, cycle)]
    assert [(line.kind, line.amount_cents) for line in lines] == [("withdraw", -fee), ("deposit", reward)]
    assert audit_check(sessions) == []


def test_no_worker_means_no_task(slack: FakeSlack, tmp_path: Path) -> None:
    slack.members = [member("UADMIN", "Ada")]
    running = System(base_env(slack.api_url, ATES_DATA_DIR=str(tmp_path / "var")), tmp_path)
    running.start(distributed=False)
    try:
        slack.wait_for("users.list")
        sender = SlackSender(running.url, SIGNING_SECRET)
        sender.command("UADMIN", "/task", "new Fix the beak", slack.response_url("create"))
        slack.wait_for("response_url", where=lambda c: "no one with the worker role" in c.args.get("text", ""))
        engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'ates.sqlite3'}")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM tasks_tasks")).scalar_one() == 0
        engine.dispose()
    finally:
        running.stop()
