"""The gateway's count of answers: what was acked, what an error refused (bad input, an outage), what failed."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
import redis
from prometheus_client import REGISTRY
from slack_bolt import Ack, BoltRequest
from slack_sdk import WebClient
from sqlalchemy.exc import OperationalError

from bot.ack_metrics import MeteredApp, labels
from domains.tasks.model import InvalidTask
from tests.fakes.slack_api import FakeSlack


def answered(slack: FakeSlack, listener: Callable[[Ack], None]) -> int:
    """Dispatch one `/probe` command to an app whose listener is `listener` and whose error handler answers."""
    app = MeteredApp(
        client=WebClient(token="xoxb-unit", base_url=slack.api_url),
        signing_secret="unit",
        token_verification_enabled=False,
        request_verification_enabled=False,
        process_before_response=True,
    )
    app.command("/probe")(listener)
    handled: list[Exception] = []
    app.error(lambda error, body: handled.append(error))
    body = urlencode({"command": "/probe", "text": "new x", "user_id": "U1", "team_id": "T1", "trigger_id": "t"})
    response = app.dispatch(BoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}))
    assert len(handled) == (response.status != 200)  # the app's own error handler still answered every error
    return response.status


def outcomes() -> dict[str, float]:
    return {o: REGISTRY.get_sample_value("ates_gateway_requests_total", {"outcome": o}) or 0.0 for o in OUTCOMES}


OUTCOMES = ("acked", "refused", "failed")


def fails_with(error: Exception) -> Callable[[Ack], None]:
    def listener(ack: Ack) -> None:
        raise error

    return listener


@pytest.mark.parametrize(
    ("listener", "outcome"),
    [
        (lambda ack: ack(), "acked"),
        (fails_with(InvalidTask("a title is needed")), "refused"),
        (fails_with(redis.ConnectionError("Redis is away")), "refused"),
        (fails_with(OperationalError("SELECT 1", {}, Exception("PostgreSQL is away"))), "refused"),
        (fails_with(RuntimeError("a bug")), "failed"),
    ],
)
def test_each_answer_is_counted_once_by_its_outcome_and_timed(
    slack: FakeSlack, listener: Callable[[Ack], None], outcome: str
) -> None:
    before = outcomes()
    probe = {"command": "/probe", "action": "new"}
    timed = REGISTRY.get_sample_value("ates_gateway_ack_seconds_count", probe) or 0

    answered(slack, listener)

    after = outcomes()
    assert {o: after[o] - before[o] for o in OUTCOMES} == {o: float(o == outcome) for o in OUTCOMES}
    assert REGISTRY.get_sample_value("ates_gateway_ack_seconds_count", probe) == timed + 1


def test_labels_name_the_command_and_action_and_never_what_a_user_typed() -> None:
    assert labels({"command": "/task", "text": "new [UP-1] Fix it"}) == ("/task", "new")
    assert labels({"command": "/task", "text": "<!channel> hello"}) == ("/task", "other")
    assert labels({"command": "/balance", "text": ""}) == ("/balance", "")
    assert labels({"type": "block_actions", "actions": [{"action_id": "task_done"}]}) == ("block_actions", "task_done")
    assert labels({"type": "view_submission", "view": {"callback_id": "task_edit"}}) == ("view_submission", "task_edit")
    assert labels({"type": "event_callback", "event": {"type": "app_home_opened"}}) == (
        "event_callback",
        "app_home_opened",
    )
    assert labels({"type": "shortcut", "callback_id": "create_task"}) == ("shortcut", "create_task")
