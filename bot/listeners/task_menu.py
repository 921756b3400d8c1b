"""A task's overflow menu (on its DM, in `/task list` and on the App Home): Edit and Delete."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks import EDIT, MENU_ACTION
from bot.listeners.later import answered, just_ack
from bot.listeners.middleware import services_of
from bot.task_ui import open_delete_confirmation, open_edit_form, task_by_id
from domains.identity.model import UserView


def menu_chosen(body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Open the edit form or the delete confirmation, for whoever may do it."""
    actor: UserView = context["actor"]
    choice, _, task_id = str(action["selected_option"]["value"]).partition(":")
    with answered(body, context):
        task = task_by_id(services_of(context), task_id)
        opener = open_edit_form if choice == EDIT else open_delete_confirmation
        opener(client, str(body["trigger_id"]), task, actor)


def register(app: App) -> None:
    app.action(MENU_ACTION)(ack=just_ack, lazy=[menu_chosen])
