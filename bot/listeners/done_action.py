"""The **Done** button, wherever a task shows it: its DM, a `/task list` page, the App Home."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from slack_bolt import Ack, App, BoltContext

from bot.blocks import DONE_ACTION
from bot.listeners.middleware import services_of
from bot.requests import accept_completion
from domains.tasks.model import TaskNotFound


def done_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """Queue the completion (its assignee only): the `requests` group completes it and shows it done."""
    assert context.user_id is not None
    try:
        task_id = UUID(action["value"])
    except ValueError:
        ack()
        raise TaskNotFound("That task no longer exists.") from None
    accept_completion(services_of(context), context.user_id, task_id, body)
    ack()


def register(app: App) -> None:
    app.action(DONE_ACTION)(done_clicked)
