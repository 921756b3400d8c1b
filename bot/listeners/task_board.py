"""The Previous/Next buttons under a `/task board` page."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.board import BOARD_PAGE, BoardRefusal, allowed, board_blocks, board_of_button
from bot.listeners.later import answered, just_ack
from bot.listeners.middleware import services_of
from bot.replies import message_of
from domains.identity.model import UserView


def page_chosen(body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Replace the board with the page asked for (the asker's role is checked again)."""
    actor: UserView = context["actor"]
    board, offset = board_of_button(str(action.get("value", "")))
    with answered(body, context):
        try:
            blocks = board_blocks(services_of(context).sessions, allowed(actor, board), offset)
        except BoardRefusal as refusal:
            respond(replace_original=False, response_type="ephemeral", **message_of(refusal.answer))
            return
        respond(replace_original=True, text="Open tasks", blocks=blocks)


def register(app: App) -> None:
    app.action(re.compile(f"^{BOARD_PAGE}_"))(ack=just_ack, lazy=[page_chosen])
