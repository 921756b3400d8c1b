"""The **Done** button, wherever a task shows it: its DM, a `/task list` page, the App Home."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import DONE_ACTION, done_dm, task_label
from bot.home import publish_home
from bot.services import Services
from bot.task_ui import list_page
from domains.tasks import handlers as tasks
from domains.tasks.model import TaskNotFound


def register(app: App, services: Services) -> None:
    @app.action(DONE_ACTION)
    def done_clicked(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        """Complete the task (its assignee only) and show it done where it was clicked."""
        ack()
        assert context.user_id is not None
        try:
            task_id = UUID(action["value"])
        except ValueError:
            raise TaskNotFound("That task no longer exists.") from None
        task = tasks.complete_task(tasks.unit_of_work(services.sessions), task_id, context.user_id)
        container = body.get("container") or {}
        if container.get("type") == "view":
            publish_home(client, services.sessions, services.settings, context["actor"])
        elif container.get("is_ephemeral"):
            respond(replace_original=True, text="Your open tasks", blocks=list_page(services, context.user_id))
        elif body.get("message"):
            client.chat_update(
                channel=body["channel"]["id"],
                ts=body["message"]["ts"],
                text=f"Done: {task_label(task.title, task.jira_id)}",
                blocks=done_dm(task),
            )
