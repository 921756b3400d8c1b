"""Analytics on the embedded runtime: its consumer group runs in the gateway and `/analytics` sees a task's money."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from domains.accounting.queries import balance_of
from domains.kernel.db import make_engine, make_session_factory
from tests.e2e.harness import SIGNING_SECRET, System, base_env, eventually
from tests.e2e.test_task_life import button_value, count_workers
from tests.fakes.slack_api import FakeSlack, member
from tests.fakes.slack_requests import SlackSender
from tests.fakes.slack_text import shown_text


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(members=[member("UADMIN", "Ada"), member("U1", "Alice")])
    fake.start()
    yield fake
    fake.stop()


def test_analytics_follows_a_task_on_the_embedded_runtime(slack: FakeSlack, tmp_path: Path) -> None:
    running = System(base_env(slack.api_url, ATES_DATA_DIR=str(tmp_path / "var")), tmp_path)
    running.start(distributed=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'ates.sqlite3'}")
    try:
        sessions = make_session_factory(engine)
        sender = SlackSender(running.url, SIGNING_SECRET)
        eventually(lambda: count_workers(sessions), lambda n: n == 1)
        sender.command("UADMIN", "/task", "new [UP-42] Fix the beak", slack.response_url("create"))
        task_id = button_value(slack.wait_for("chat.postMessage")[0])
        fee = -eventually(lambda: balance_of(sessions, "U1"), lambda b: b != 0)
        sender.click("U1", "task_done", task_id, slack.response_url("done"))
        reward = eventually(lambda: balance_of(sessions, "U1"), lambda b: b != -fee) + fee

        refusal = sender.command("U1", "/analytics", "", slack.response_url("worker")).json()
        assert refusal["text"] == "Analytics is for admins only."
        earnings = f"{'-' if fee < reward else ''}${abs(fee - reward) // 100}.{abs(fee - reward) % 100:02d}"

        asked = [0]

        def shown() -> str:
            """Ask again until the consumers have caught up; each answer is the newest with blocks."""
            sender.command("UADMIN", "/analytics", "", slack.response_url("admin"))
            asked[0] += 1
            answers = slack.wait_for("response_url", asked[0], where=lambda c: "blocks" in c.args)
            return json.dumps(answers[asked[0] - 1].args["blocks"])

        rendered = eventually(shown, lambda text: earnings in text and "Fix the beak" in text)
        assert "Fix the beak (UP-42), reward" in shown_text(json.loads(rendered))  # the title as typed
        assert running.log("web").count("ATES_ANALYTICS_CHANNEL is not set") == 1
    finally:
        running.stop()
        engine.dispose()
