"""The **Done** button on a task's DM."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import DONE_ACTION, done_dm, task_label
from bot.services import Services
from domains.tasks import handlers as tasks
from domains.tasks.model import TaskNotFound


def register(app: App, services: Services) -> None:
    @app.action(DONE_ACTION)
    def done_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Complete the task (its assignee only) and turn the DM into a done note."""
        ack()
        assert context.user_id is not None
        try:
            task_id = UUID(action["value"])
        except ValueError:
            raise TaskNotFound("That task no longer exists.") from None
        task = tasks.complete_task(tasks.unit_of_work(services.sessions), task_id, context.user_id)
        message = body.get("message")
        if message:
            client.chat_update(
                channel=body["channel"]["id"],
                ts=message["ts"],
                text=f"Done: {task_label(task.title, task.jira_id)}",
                blocks=done_dm(task),
            )
