"""One error handler for the app: domain refusals become replies, failures an apology and a log line."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk.errors import SlackApiError

from domains.tasks.model import TaskError

log = logging.getLogger(__name__)
APOLOGY = "Sorry, something went wrong on our side and nothing was changed. Please try again in a minute."


def register(app: App) -> None:
    @app.error
    def handle_error(error: Exception, body: dict[str, Any], respond: Respond | None) -> None:
        if isinstance(error, TaskError):
            _reply(respond, str(error))
            return
        if isinstance(error, SlackApiError):
            log.error("Slack Web API %s failed: %s", error.response.api_url, error.response.get("error"))
        else:
            log.exception("unhandled error for %s", body.get("type") or body.get("command"), exc_info=error)
        _reply(respond, APOLOGY)


def _reply(respond: Respond | None, text: str) -> None:
    if respond is None:
        return
    try:
        respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception:
        log.exception("could not send the reply %r", text)
