"""One error handler for the app: domain refusals become replies, failures an apology and a log line."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.replies import reply_privately
from domains.tasks.model import TaskError

log = logging.getLogger(__name__)
APOLOGY = "Sorry, something went wrong on our side and nothing was changed. Please try again in a minute."


def register(app: App) -> None:
    @app.error
    def handle_error(
        error: Exception, body: dict[str, Any], respond: Respond | None, context: BoltContext, client: WebClient
    ) -> None:
        answer_error(error, body, respond, client, context.user_id)


def answer_error(
    error: Exception, body: dict[str, Any], respond: Respond | None, client: WebClient, user_id: str | None
) -> None:
    """A domain refusal is the answer; anything else is logged, and the user gets an apology."""
    if isinstance(error, TaskError):
        reply_privately(respond, client, user_id, str(error))
        return
    if isinstance(error, SlackApiError):
        method = str(error.response.api_url).rstrip("/").rsplit("/", 1)[-1]
        log.error("Slack Web API %s failed: %s", method, error.response.get("error"))
    else:
        log.exception("unhandled error for %s", body.get("type") or body.get("command"), exc_info=error)
    if body.get("type") != "event_callback":  # nobody is waiting on an event's outcome
        reply_privately(respond, client, user_id, APOLOGY)
