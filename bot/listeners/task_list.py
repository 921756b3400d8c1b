"""The Previous/Next buttons under a `/task list` page."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.home_view import LIST_PAGE
from bot.services import Services
from bot.task_ui import list_page


def register(app: App, services: Services) -> None:
    @app.action(re.compile(f"^{LIST_PAGE}_"))
    def page_chosen(ack: Ack, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        """Replace the list with the page asked for."""
        ack()
        assert context.user_id is not None
        offset = int(action["value"]) if str(action["value"]).isdigit() else 0
        respond(replace_original=True, text="Your open tasks", blocks=list_page(services, context.user_id, offset))
