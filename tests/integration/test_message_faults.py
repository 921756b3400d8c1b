"""Task messages go out exactly once under faults: the answer lost after Slack carried a call out, the process
killed between the call and its record, the record failing, a batch delivered again. Nothing here uses Redis: the
record of what was sent is in PostgreSQL, and an unknown outcome is settled from Slack's own record (metadata)."""

from __future__ import annotations

import random
import threading
from typing import Any
from uuid import UUID

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.message_sender import MessageSender, SlackUnavailable
from bot.notifier import SEND_THREAD, Notifier
from bot.task_messages import record_events
from domains.kernel.contracts import UserCreated
from domains.kernel.events import Event, make_event, parse_event
from domains.kernel.settings import Settings
from domains.tasks import handlers as tasks
from domains.tasks.commands import CreateTask, EditTask
from jobs.runtime import Runtime
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    """As the app makes it: a dropped connection would be retried, which the notifier must not let happen."""
    return WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[ConnectionErrorRetryHandler(2)])


def outbox_events(runtime: Runtime, domain: str, after: int = 0) -> list[Event]:
    with runtime.engine.connect() as connection:
        bodies = connection.execute(text(f"SELECT body FROM {domain}_outbox WHERE id > :n ORDER BY id"), {"n": after})
        return [parse_event(body) for body in bodies.scalars()]


def record_and_send(notifier: Notifier, events: list[Event]) -> None:
    """What the notifier group does with a batch, its sending done here and now instead of on its sending thread."""
    record_events(notifier.sessions, events)
    notifier.sender.flush()


def sent_by_the_sending_thread() -> None:
    for thread in threading.enumerate():
        if thread.name == SEND_THREAD:
            thread.join(timeout=30)


def a_task_priced(runtime: Runtime, client: WebClient) -> list[Event]:
    """A worker, a task assigned to them and priced by accounting: the events the notifier reads."""
    runtime.applier("tasks", client).apply(
        make_event("identity", UserCreated(user_id="U1", name="U1", email=None, avatar_url=None, role="worker"))
    )
    tasks.create_task(
        tasks.unit_of_work(runtime.sessions),
        CreateTask(author_id="UAUTHOR", title="Fix the beak", jira_id=None),
        random.Random(1),
    )
    task_events = outbox_events(runtime, "tasks")
    runtime.applier("accounting", client).apply_many(task_events)
    return task_events + outbox_events(runtime, "accounting")


def row(runtime: Runtime, sql: str) -> Any:
    with runtime.engine.connect() as connection:
        return connection.execute(text(sql)).one()


def test_a_post_whose_answer_was_lost_is_settled_from_slacks_record_not_sent_again(
    runtime: Runtime, client: WebClient, slack: FakeSlack
) -> None:
    events = a_task_priced(runtime, client)
    notifier = Notifier(client, runtime.sessions)
    slack.drop_after_accepting["chat.postMessage"] = 1  # Slack posts it; the answer never arrives
    with pytest.raises(SlackUnavailable):  # an outage: the sending thread waits it out
        record_and_send(notifier, events)
    assert row(runtime, "SELECT state FROM bot_task_messages") == ("posting",)  # the outcome is unknown

    record_and_send(notifier, events)  # the sending thread's retry
    [posted] = slack.store.in_channel("DU1")
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert row(runtime, "SELECT state, channel_id, ts FROM bot_task_messages") == ("posted", "DU1", posted["ts"])
    assert len(slack.calls_to("conversations.history")) == 1 and len(slack.calls_to("conversations.open")) == 1


def test_a_notifier_killed_between_the_post_and_its_record_is_settled_by_the_next_one(
    runtime: Runtime, client: WebClient, slack: FakeSlack
) -> None:
    events = a_task_priced(runtime, client)
    slack.drop_after_accepting["chat.postMessage"] = 1
    with pytest.raises(SlackUnavailable):
        record_and_send(Notifier(client, runtime.sessions), events)
    with runtime.engine.begin() as connection:  # as a kill -9 leaves it: still claimed by the dead member
        connection.execute(text("UPDATE bot_task_messages SET claimed_by = 'dead', claimed_at = now()"))

    successor = Notifier(client, runtime.sessions)
    record_and_send(successor, events)
    assert len(slack.calls_to("chat.postMessage")) == 1  # the dead member's claim is respected while it is fresh
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE bot_task_messages SET claimed_at = now() - interval '3 minutes'"))
    record_and_send(successor, [])
    assert len(slack.store.in_channel("DU1")) == 1 and len(slack.calls_to("chat.postMessage")) == 1
    assert row(runtime, "SELECT state FROM bot_task_messages") == ("posted",)


def test_a_record_that_fails_after_the_post_does_not_post_again(
    runtime: Runtime, client: WebClient, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = a_task_priced(runtime, client)
    record = MessageSender._posted

    def fail_once(self: MessageSender, *args: Any) -> None:
        monkeypatch.setattr(MessageSender, "_posted", record)
        raise OperationalError("UPDATE bot_task_messages", {}, Exception("the database restarted"))

    monkeypatch.setattr(MessageSender, "_posted", fail_once)
    notifier = Notifier(client, runtime.sessions)
    with pytest.raises(OperationalError):
        record_and_send(notifier, events)
    record_and_send(notifier, events)
    assert len(slack.calls_to("chat.postMessage")) == 1 and len(slack.store.in_channel("DU1")) == 1


def test_an_update_whose_answer_was_lost_is_not_made_twice_and_a_redelivered_batch_sends_nothing(
    runtime: Runtime, client: WebClient, slack: FakeSlack
) -> None:
    events = a_task_priced(runtime, client)
    notifier = Notifier(client, runtime.sessions)
    record_and_send(notifier, events)
    record_and_send(notifier, events)  # delivered again (the acknowledgement was lost with Redis)
    assert len(slack.calls_to("chat.postMessage")) == 1

    seen = len(outbox_events(runtime, "tasks"))
    task_id = UUID(row(runtime, "SELECT task_id FROM tasks_tasks")[0])
    edit = EditTask(task_id=task_id, editor_id="UAUTHOR", is_admin=False, title="Fix it")
    tasks.edit_task(tasks.unit_of_work(runtime.sessions), edit)
    edits = outbox_events(runtime, "tasks")[seen:]
    slack.drop_after_accepting["chat.update"] = 1
    with pytest.raises(SlackUnavailable):
        record_and_send(notifier, edits)
    record_and_send(notifier, edits)
    record_and_send(notifier, edits)
    assert len(slack.calls_to("chat.update")) == 1
    [message] = slack.store.in_channel("DU1")
    assert "Fix it" in str(message["blocks"])
    assert row(runtime, "SELECT stale, updating_hash FROM bot_task_messages") == (0, None)


def test_with_redis_down_the_notifier_still_sends_each_message_once(
    runtime: Runtime, client: WebClient, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = a_task_priced(runtime, client)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/9")  # nothing listens there
    cut_off = Runtime.build(Settings())
    try:
        notifier = cut_off.applier("notifier", client)  # as `python -m jobs.consumers notifier` wires it
        notifier.apply_many(events)
        notifier.apply_many(events)  # and again, as a redelivery would
        sent_by_the_sending_thread()
    finally:
        cut_off.close()
    assert len(slack.calls_to("chat.postMessage")) == 1 and len(slack.store.in_channel("DU1")) == 1


def test_a_batch_is_taken_once_recorded_and_its_message_goes_once_slack_is_back(
    runtime: Runtime, client: WebClient, slack: FakeSlack
) -> None:
    events = a_task_priced(runtime, client)
    slack.drop_after_accepting["chat.postMessage"] = 1  # Slack posts it; the answer never arrives
    Notifier(client, runtime.sessions).apply_many(events)  # no outage reaches the consumer: the batch is recorded
    sent_by_the_sending_thread()  # which settled the unknown outcome from Slack's record, after a pause
    assert len(slack.calls_to("chat.postMessage")) == 1 and len(slack.store.in_channel("DU1")) == 1
    assert row(runtime, "SELECT state FROM bot_task_messages") == ("posted",)
