"""The Previous/Next buttons under a `/task list` page."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.home_view import LIST_PAGE
from bot.listeners.later import answered, just_ack
from bot.listeners.middleware import services_of
from bot.task_ui import list_page


def page_chosen(body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Replace the list with the page asked for."""
    assert context.user_id is not None
    offset = int(action["value"]) if str(action["value"]).isdigit() else 0
    with answered(body, context):
        blocks = list_page(services_of(context), context.user_id, offset)
        respond(replace_original=True, text="Your open tasks", blocks=blocks)


def register(app: App) -> None:
    app.action(re.compile(f"^{LIST_PAGE}_"))(ack=just_ack, lazy=[page_chosen])
