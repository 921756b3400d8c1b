"""An outage as Slack and the operator see it: Redis, then PostgreSQL, unreachable and back, real processes.

The shared servers are never stopped: Redis is a private redis-server of the test's own, and PostgreSQL is reached
through a proxy the test cuts and restores (tests/fakes/tcp_proxy.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.listeners.errors import OUTAGE
from domains.accounting.queries import audit_check
from domains.kernel.db import make_engine, make_session_factory
from tests.backbone import PrivateRedis
from tests.e2e.harness import SIGNING_SECRET, System, eventually, services_env
from tests.fakes.slack_api import Call, FakeSlack, member
from tests.fakes.slack_requests import Reply, SlackSender
from tests.fakes.tcp_proxy import TcpProxy
from tests.integration.slack_app import blocks_of, buttons

SLACK_DEADLINE_S = 3.0
# What the journey below needs (the scale-out test runs every group): fewer processes start faster on a busy host.
PROCESSES = [
    ["-m", "jobs.relay"],
    *(["-m", "jobs.consumers", group] for group in ("requests", "tasks", "accounting", "notifier")),
]


def timed(send: Callable[[], Reply]) -> tuple[Reply, float]:
    started = time.monotonic()
    reply = send()
    return reply, time.monotonic() - started


def scalar(sessions: sessionmaker[Session], sql: str) -> object:
    with sessions() as session:
        return session.execute(text(sql)).scalar_one()


def button_value(call: Call) -> str:
    return str(buttons(blocks_of(call), "task_done")[0]["value"])


def assert_answered_in_time_that_nothing_was_done(send: Callable[[], Reply]) -> None:
    reply, took = timed(send)
    assert reply.status == 200 and took < SLACK_DEADLINE_S, (reply, took)
    assert reply.json() == {"response_type": "ephemeral", "text": OUTAGE}


def assert_refused_in_time(slack: FakeSlack, send: Callable[[str], Reply], name: str) -> None:
    """The private answer is the ack itself, or, when the asker was known from the last seconds and the work came
    after the ack, a reply to the request's response_url."""
    reply, took = timed(lambda: send(slack.response_url(name)))
    assert reply.status == 200 and took < SLACK_DEADLINE_S, (reply, took)
    if reply.body:
        assert reply.json() == {"response_type": "ephemeral", "text": OUTAGE}
    else:
        [said] = slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
        assert (said.args["text"], said.args["response_type"]) == (OUTAGE, "ephemeral")


def errors_logged_after(log: str, moment: datetime) -> list[str]:
    """The ERROR and CRITICAL lines logged after `moment` (local time, as the text log format writes it)."""
    found = []
    for line in log.splitlines():
        stamp, _, rest = line[:23], line[23:24], line[24:]
        try:
            logged = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f")
        except ValueError:
            continue  # a traceback's line, or Celery's banner
        if logged > moment and rest.startswith(("ERROR", "CRITICAL")):
            found.append(line)
    return found


def renamed(user_id: str, name: str) -> dict[str, object]:
    return {"type": "user_change", "user": member(user_id, name)}


def test_an_outage_gets_clear_answers_changes_nothing_and_every_process_carries_on_after_it(
    slack: FakeSlack, tmp_path: Path, pg_url: str, stream_prefix: str
) -> None:
    redis_server, proxy = PrivateRedis(tmp_path), TcpProxy(make_url(pg_url).port or 5432)
    redis_server.start()
    proxy.restore()
    through_proxy = make_url(pg_url).set(port=proxy.port).render_as_string(hide_password=False)
    env = services_env(
        slack.api_url,
        through_proxy,
        redis_server.url,
        stream_prefix,
        tmp_path / "var",
        ATES_RETRY_BACKOFF_MS="50",
        ATES_BACKGROUND_NICE="0",  # on a test machine shared with other runs, niced processes can starve
    )
    running = System(env, tmp_path)
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    try:
        running.start(distributed=False)  # the gateway; DATABASE_URL and REDIS_URL make it the services runtime
        for argv in PROCESSES:
            running.spawn(argv, argv[-1].replace(".", "-"))
        celery = [
            running.spawn(["-m", "jobs.worker", "--pool", "solo"], "worker"),
            running.spawn(["-m", "jobs.beat"], "beat"),
        ]
        sender = SlackSender(running.url, SIGNING_SECRET)
        workers = "SELECT count(*) FROM tasks_members WHERE role = 'worker'"
        eventually(lambda: scalar(sessions, workers), lambda n: n == 2, timeout=180)
        eventually(lambda: running.log("worker"), lambda log: "ready" in log, timeout=180)

        sender.command("UADMIN", "/task", "new Before the outage", slack.response_url("before"))
        first_dm = slack.wait_for("chat.postMessage", timeout=60)[0]
        assignee, task_id = first_dm.args["channel"].removeprefix("D"), button_value(first_dm)

        redis_server.kill()
        assert_answered_in_time_that_nothing_was_done(
            lambda: sender.command("UADMIN", "/task", "new During the outage", slack.response_url("during"))
        )
        clicked, took = timed(lambda: sender.click(assignee, "task_done", task_id, slack.response_url("click")))
        assert clicked.status == 200 and took < SLACK_DEADLINE_S
        said = slack.wait_for("response_url", where=lambda c: c.args.get("text") == OUTAGE)[0]
        assert said.args["response_type"] == "ephemeral"
        not_queued = sender.event(renamed("U1", "Alicia"), "Ev-redis")
        assert not_queued.status >= 500  # Slack delivers it again
        time.sleep(1)
        assert scalar(sessions, "SELECT count(*) FROM tasks_tasks") == 1
        assert scalar(sessions, "SELECT status FROM tasks_tasks") == "open"
        redis_server.start()

        proxy.cut()
        assert_refused_in_time(slack, lambda url: sender.command("U2", "/balance", "", url), "balance")
        assert_refused_in_time(slack, lambda url: sender.command("U1", "/task", "list", url), "list")
        clicked, took = timed(lambda: sender.click("U2", "task_list_page_next", "5", slack.response_url("page")))
        assert clicked.status == 200 and took < SLACK_DEADLINE_S
        page = slack.wait_for("response_url", where=lambda c: c.path == "/response/page")[0]
        assert page.args["text"] == OUTAGE
        refused = sender.event(renamed("U2", "Roberto"), "Ev-db")
        assert refused.status >= 500
        proxy.restore()
        ended = datetime.now()

        again = sender.event(renamed("U2", "Roberto"), "Ev-db", retry_num=1)
        assert again.status == 200  # not dropped as a repeat: the first delivery was not taken
        eventually(lambda: scalar(sessions, "SELECT name FROM identity_users WHERE slack_id = 'U2'"), "Roberto".__eq__)
        sender.command("UADMIN", "/task", "new After the outage", slack.response_url("after"))
        slack.wait_for("response_url", where=lambda c: "After the outage" in c.args.get("text", ""), timeout=30)
        sender.click(assignee, "task_done", task_id, slack.response_url("done"), message={"ts": "9.1", "text": ""})
        slack.wait_for("chat.update", timeout=30)
        eventually(lambda: scalar(sessions, "SELECT count(*) FROM accounting_audit_records"), lambda n: n == 3, 30)
        assert audit_check(sessions) == []
        assert scalar(sessions, "SELECT count(*) FROM tasks_tasks") == 2
        assert [p.poll() for p in running.processes] == [None] * len(running.processes)  # nothing had to restart
        # it lost Redis and connects again by itself, after a backoff that may still be running
        eventually(lambda: running.log("worker").count("Connected to redis"), lambda n: n >= 2, timeout=60)
        worker_log = running.log("worker")
        assert "Gossip" not in worker_log and "AttributeError" not in worker_log
        assert all(p.poll() is None for p in celery)
        for name in ("web", "jobs-relay", "requests", "tasks", "accounting", "notifier", "worker", "beat"):
            assert errors_logged_after(running.log(name), ended) == [], name
    finally:
        running.stop()
        proxy.cut()
        redis_server.kill()
        engine.dispose()
