"""Requests the gateway acknowledged wait on the bus until the `requests` group carries them out, once each."""

from __future__ import annotations

import json
import uuid

import pytest
from slack_sdk import WebClient
from sqlalchemy import text

from bot.requests import (
    ReplyTo,
    TaskCompletionRequested,
    TaskCreationRequested,
    accept,
    accept_completion,
    accept_creation,
    form_request_id,
)
from bot.slack_client import make_client
from domains.kernel.contracts import UserCreated
from domains.kernel.events import Event, make_event, parse_event
from domains.kernel.settings import Settings
from domains.tasks.commands import CreateTask
from domains.tasks.model import parse_new_task
from jobs.runtime import Runtime
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return make_client(Settings(slack_api_url=slack.api_url))


def hire(runtime: Runtime, client: WebClient, *user_ids: str) -> None:
    tasks = runtime.applier("tasks", client)
    for user_id in user_ids:
        tasks.apply(
            make_event(
                "identity", UserCreated(user_id=user_id, name=user_id, email=None, avatar_url=None, role="worker")
            )
        )


def scalar(runtime: Runtime, sql: str) -> object:
    with runtime.engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def queued(runtime: Runtime, client: WebClient) -> list[Event]:
    """What the `requests` group would read now, without settling it."""
    consumer = runtime.consumer("requests", client)
    deliveries = runtime.bus.read("requests", consumer.name, consumer.topics, 100, 50, False)
    return [parse_event(d.body) for d in deliveries]


def test_an_acknowledged_task_waits_on_the_bus_and_is_created_once_however_often_delivered(
    runtime: Runtime, client: WebClient, slack: FakeSlack
) -> None:
    hire(runtime, client, "U1")
    services = runtime.services()
    accept_creation(services, "UAUTHOR", parse_new_task("[UP-42] Fix the beak"), slack.response_url("new"))
    assert scalar(runtime, "SELECT count(*) FROM tasks_tasks") == 0  # nothing happens in the gateway itself

    [request] = queued(runtime, client)
    runner = runtime.applier("requests", client)
    assert runner.apply(request) is True
    assert runner.apply(request) is False  # delivered again: carried out before
    runner.apply_many([request, request])

    assert scalar(runtime, "SELECT count(*) FROM tasks_tasks") == 1
    assert (
        scalar(runtime, "SELECT jira_id || ' ' || title || ' ' || assignee_id FROM tasks_tasks")
        == "UP-42 Fix the beak U1"
    )
    [reply] = slack.calls_to("response_url")
    assert reply.args["text"] == "Created Fix the beak (UP-42) and assigned it to <@U1>."  # the title as typed
    assert reply.args["response_type"] == "ephemeral"


def test_a_done_click_by_someone_else_is_refused_in_place_and_changes_nothing(
    runtime: Runtime, client: WebClient, slack: FakeSlack
) -> None:
    hire(runtime, client, "U1")
    services = runtime.services()
    accept_creation(services, "UAUTHOR", parse_new_task("Feed the parrots"), None)
    runtime.consumer("requests", client).poll(block_ms=50)
    task_id = str(scalar(runtime, "SELECT task_id FROM tasks_tasks"))

    body = {"response_url": slack.response_url("click"), "container": {"type": "message"}, "channel": {"id": "D1"}}
    accept_completion(services, "UINTRUDER", uuid.UUID(task_id), {**body, "message": {"ts": "1.2"}})
    assert runtime.consumer("requests", client).poll(block_ms=50) == 1

    assert scalar(runtime, "SELECT status FROM tasks_tasks") == "open"
    assert scalar(runtime, "SELECT count(*) FROM tasks_outbox WHERE topic = 'task-lifecycle'") == 1  # its assignment
    assert slack.calls_to("response_url") == []  # the answer is the clicked message itself, brought up to date
    [update] = slack.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == ("D1", "1.2")
    shown = json.dumps(update.args["blocks"])
    assert "Only the task's assignee can mark it done. <@U1> holds it now; nothing changed." in shown
    assert "task_done" not in shown  # the message no longer offers what the clicker cannot do


def test_a_form_submitted_twice_makes_one_task_and_one_answer(
    runtime: Runtime, client: WebClient, slack: FakeSlack
) -> None:
    hire(runtime, client, "U1")
    services = runtime.services()
    for _ in range(2):  # Slack timed the first ack out, and the author submitted the same form again
        command = CreateTask(request_id=form_request_id(CreateTask, "V42"), author_id="UAUTHOR", title="Fix the beak")
        accept(services, command, ReplyTo(user_id="UAUTHOR", view_id="V42"))
    runner = runtime.applier("requests", client)
    assert [runner.apply(request) for request in queued(runtime, client)] == [True, False]
    assert scalar(runtime, "SELECT count(*) FROM tasks_tasks") == 1
    [told] = slack.calls_to("chat.postMessage")
    assert told.args["channel"] == "UAUTHOR" and told.args["text"].startswith("Created Fix the beak")


def test_requests_queued_before_slack_request_existed_are_still_carried_out_once(
    runtime: Runtime, client: WebClient, slack: FakeSlack
) -> None:
    hire(runtime, client, "U1")
    asked = TaskCreationRequested(
        author_id="UA", title="Fix the beak", jira_id="UP-1", description="", response_url=slack.response_url("old")
    )
    old = make_event("gateway", asked, correlation_id=uuid.uuid4())
    runtime.bus.publish([(old.topic, old.to_json())])
    runner = runtime.applier("requests", client)
    [request] = queued(runtime, client)
    assert runner.apply(request) is True and runner.apply(request) is False
    assert scalar(runtime, f"SELECT count(*) FROM tasks_inbox WHERE event_id = '{old.event_id}'") == 1  # as before
    [reply] = slack.calls_to("response_url")
    assert reply.args["text"] == "Created Fix the beak (UP-1) and assigned it to <@U1>."

    task_id = uuid.UUID(str(scalar(runtime, "SELECT task_id FROM tasks_tasks")))
    clicked = TaskCompletionRequested(
        task_id=task_id,
        user_id="U1",
        response_url=slack.response_url("list"),
        shown_in="ephemeral",
        channel_id=None,
        message_ts=None,
    )
    done = make_event("gateway", clicked)
    assert runner.apply(done) is True
    assert scalar(runtime, "SELECT status FROM tasks_tasks") == "done"
    [redrawn] = [c for c in slack.calls_to("response_url") if c.path == "/response/list"]
    assert redrawn.args["replace_original"] is True
