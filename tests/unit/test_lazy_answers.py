"""A lazy listener (Bolt's public `lazy=`) finds the app's services in its context, the very same object, and
what it raises reaches the user as the app's error handler answers it (Bolt alone would only log it)."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltContext, BoltRequest
from slack_sdk import WebClient
from sqlalchemy.orm import sessionmaker

from bot.listeners.errors import APOLOGY
from bot.listeners.later import answered, just_ack
from bot.listeners.middleware import WithServices, services_of
from bot.services import Services
from domains.kernel.commands import CommandBus
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.settings import Settings
from domains.tasks.model import TaskNotFound
from tests.fakes.slack_api import FakeSlack


def shortcut_to(slack: FakeSlack, error: Exception) -> tuple[list[Services], Services]:
    """A global shortcut whose lazy work raises `error`, dispatched once; the services its work saw."""
    services = Services(Settings(), sessionmaker(), MemoryBus(), CommandBus())
    client = WebClient(token="xoxb-unit", base_url=slack.api_url)
    app = App(
        client=client,
        signing_secret="unit",
        token_verification_enabled=False,
        request_verification_enabled=False,
        process_before_response=True,
    )
    app.middleware(WithServices(services))
    seen: list[Services] = []

    def work(body: dict[str, Any], context: BoltContext) -> None:
        with answered(body, context):
            seen.append(services_of(context))
            raise error

    app.shortcut("probe")(ack=just_ack, lazy=[work])
    payload = {"type": "shortcut", "callback_id": "probe", "user": {"id": "U1"}, "team": {"id": "T1"}}
    body = urlencode({"payload": json.dumps(payload)})
    headers: dict[str, str | Sequence[str]] = {"content-type": "application/x-www-form-urlencoded"}
    assert app.dispatch(BoltRequest(body=body, headers=headers)).status == 200
    return seen, services


def test_a_lazy_refusal_reaches_the_user_and_its_work_saw_the_same_services(slack: FakeSlack) -> None:
    seen, services = shortcut_to(slack, TaskNotFound("That task no longer exists."))
    [told] = slack.wait_for("chat.postMessage")  # a shortcut has nowhere to answer but a DM
    assert told.args["channel"] == "U1" and told.args["text"] == "That task no longer exists."
    assert seen == [services] and seen[0] is services and copy.deepcopy(services) is services


def test_a_lazy_failure_gets_the_apology(slack: FakeSlack) -> None:
    shortcut_to(slack, RuntimeError("a bug"))
    [told] = slack.wait_for("chat.postMessage")
    assert told.args["text"] == APOLOGY
