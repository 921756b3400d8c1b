"""The Previous/Next buttons under a `/task list` page."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.home_view import LIST_PAGE
from bot.listeners.later import answering, just_ack
from bot.services import Services
from bot.task_ui import list_page


def register(app: App, services: Services) -> None:
    def page_chosen(action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        """Replace the list with the page asked for."""
        assert context.user_id is not None
        offset = int(action["value"]) if str(action["value"]).isdigit() else 0
        respond(replace_original=True, text="Your open tasks", blocks=list_page(services, context.user_id, offset))

    app.action(re.compile(f"^{LIST_PAGE}_"))(ack=just_ack, lazy=[answering(page_chosen)])
