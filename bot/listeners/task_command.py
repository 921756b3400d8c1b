"""`/task`: create tasks and get help."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks import task_label
from bot.services import Services
from domains.tasks import handlers as tasks
from domains.tasks.model import InvalidTask, parse_new_task

USAGE = (
    "*How to use `/task`*\n"
    "• `/task new [UP-42] Fix the beak`: create a task (the Jira key in brackets is optional); "
    "it goes to a random worker, who pays its fee and earns its reward when done.\n"
    "• `/task help`: this message."
)


def register(app: App, services: Services) -> None:
    @app.command("/task")
    def task_command(ack: Ack, command: dict[str, str], respond: Respond, context: BoltContext) -> None:
        """Route `/task <subcommand>`; anything unknown gets the usage."""
        subcommand, _, rest = command.get("text", "").strip().partition(" ")
        if subcommand.lower() != "new" or not rest.strip():
            ack(response_type="ephemeral", text=USAGE)
            return
        try:
            new_task = parse_new_task(rest)
        except InvalidTask as refusal:
            ack(response_type="ephemeral", text=str(refusal))
            return
        ack()
        assert context.user_id is not None
        task = tasks.create_task(tasks.unit_of_work(services.sessions), context.user_id, new_task, services.rng)
        respond(
            response_type="ephemeral",
            text=f"Created {task_label(task.title, task.jira_id)} and assigned it to <@{task.assignee_id}>.",
        )
