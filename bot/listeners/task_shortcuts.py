"""The "Create a task" shortcuts: from anywhere (an empty form) or from a message (its text and a link back)."""

from __future__ import annotations

import html
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.listeners.later import answered, just_ack
from bot.task_ui import open_create_form
from domains.tasks.model import MAX_DESCRIPTION

GLOBAL_SHORTCUT = "create_task"
MESSAGE_SHORTCUT = "create_task_from_message"


def create_from_anywhere(
    body: dict[str, Any], shortcut: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Open an empty task form; its submission is queued like every task order (task_forms)."""
    with answered(body, context):
        open_create_form(client, str(shortcut["trigger_id"]))


def create_from_message(
    body: dict[str, Any], shortcut: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Open the task form with the message's text as the description, and a link back to the message."""
    with answered(body, context):
        channel, ts = shortcut["channel"]["id"], shortcut["message"]["ts"]
        link = str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
        footer = f"\n\nFrom the message: {link}"
        text = html.unescape(str(shortcut["message"].get("text") or "")).strip()  # Slack sends &lt; &gt; &amp;
        open_create_form(client, str(shortcut["trigger_id"]), text[: MAX_DESCRIPTION - len(footer)] + footer)


def register(app: App) -> None:
    app.shortcut(GLOBAL_SHORTCUT)(ack=just_ack, lazy=[create_from_anywhere])
    app.shortcut(MESSAGE_SHORTCUT)(ack=just_ack, lazy=[create_from_message])
