"""The Previous/Next buttons under a `/task board` page."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.board import BOARD_PAGE, BoardRefusal, allowed, board_blocks, board_of_button
from bot.listeners.later import answering, just_ack
from bot.services import Services
from domains.identity.model import UserView


def register(app: App, services: Services) -> None:
    def page_chosen(action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        """Replace the board with the page asked for (the asker's role is checked again)."""
        actor: UserView = context["actor"]
        board, offset = board_of_button(str(action.get("value", "")))
        try:
            blocks = board_blocks(services.sessions, allowed(actor, board), offset)
        except BoardRefusal as refusal:
            respond(replace_original=False, response_type="ephemeral", text=str(refusal))
            return
        respond(replace_original=True, text="Open tasks", blocks=blocks)

    app.action(re.compile(f"^{BOARD_PAGE}_"))(ack=just_ack, lazy=[answering(page_chosen)])
