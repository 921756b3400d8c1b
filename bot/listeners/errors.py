"""One error handler for the app: domain refusals become replies, failures an apology and a log line.

Slack shows "dispatch_failed" for any answer but a 200, so a request that fails is still answered 200, with the
apology (or, when the database or Redis is away, a word that nothing was changed and to retry). An Events API
delivery that fails is answered 503 instead: Slack delivers it again, and nobody waits on it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.slack_retries import event_keys
from bot.replies import reply_privately
from bot.services import Services
from domains.kernel.consumer import OUTAGES  # the database or Redis could not be reached: nothing was done
from domains.tasks.model import TaskError

log = logging.getLogger(__name__)
APOLOGY = "Sorry, something went wrong on our side and nothing was changed. Please try again in a minute."
OUTAGE = (
    "Sorry, aTES cannot take this right now: part of it is unavailable for a moment. "
    "Nothing was changed. Please try again in a minute."
)


def handle_error(
    error: Exception,
    body: dict[str, Any],
    respond: Respond | None,
    context: BoltContext,
    client: WebClient,
    response: BoltResponse | None,
) -> BoltResponse | None:
    if response is None:  # the answer has left already (a lazy listener): only a reply can say it
        answer_error(error, body, respond, client, context.user_id)
        return None
    services: Services | None = context.get("services")  # None: it failed before any middleware of ours ran
    if body.get("type") == "event_callback" and services is not None:
        forget_event(services, body)
    return answer_failed_request(error, body, respond, client, context.user_id)


def register(app: App) -> None:
    app.error(handle_error)


def forget_event(services: Services, body: dict[str, Any]) -> None:
    """The delivery failed: Slack's next one must not be dropped as a repeat."""
    try:
        for key in event_keys(body):
            services.once.forget(key)
    except OUTAGES:  # Redis is away: then it did not remember the delivery either
        pass


def answer_failed_request(
    error: Exception, body: dict[str, Any], respond: Respond | None, client: WebClient, user_id: str | None
) -> BoltResponse:
    """The HTTP answer to a request that failed before it was answered."""
    if body.get("type") == "event_callback":
        log_failure(error, body)
        return BoltResponse(status=503, body="")  # not taken: Slack delivers it again
    if body.get("command") and not isinstance(error, TaskError):  # a slash command's answer is a reply itself
        log_failure(error, body)
        text = OUTAGE if isinstance(error, OUTAGES) else APOLOGY
        reply = {"response_type": "ephemeral", "text": text}
        return BoltResponse(status=200, body=json.dumps(reply), headers={"content-type": "application/json"})
    answer_error(error, body, respond, client, user_id)
    return BoltResponse(status=200, body="")


def answer_error(
    error: Exception, body: dict[str, Any], respond: Respond | None, client: WebClient, user_id: str | None
) -> None:
    """A domain refusal is the answer; anything else is logged, and the user gets an apology."""
    if isinstance(error, TaskError):
        reply_privately(respond, client, user_id, str(error))
        return
    log_failure(error, body)
    if body.get("type") != "event_callback":  # nobody is waiting on an event's outcome
        reply_privately(respond, client, user_id, OUTAGE if isinstance(error, OUTAGES) else APOLOGY)


def log_failure(error: Exception, body: dict[str, Any]) -> None:
    what = body.get("type") or body.get("command")
    if isinstance(error, SlackApiError):
        method = str(error.response.api_url).rstrip("/").rsplit("/", 1)[-1]
        log.error("Slack Web API %s failed: %s", method, error.response.get("error"))
    elif isinstance(error, OUTAGES):  # one line, not a traceback per request while it lasts
        log.warning("the database or Redis is unavailable; refused %s: %s: %s", what, type(error).__name__, error)
    else:
        log.exception("unhandled error for %s", what, exc_info=error)
