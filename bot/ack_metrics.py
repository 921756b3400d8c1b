"""The gateway's ack latency and outcomes for Prometheus, over HTTP and Socket Mode alike (both call dispatch)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prometheus_client import Counter, Histogram
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener.listener_error_handler import CustomListenerErrorHandler

from domains.kernel.consumer import OUTAGES
from domains.tasks.model import TaskError

ACK_SECONDS = Histogram(
    "ates_gateway_ack_seconds",
    "Time from a verified Slack request reaching the app to its answer (the ack)",
    ["command", "action"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5),
)
REQUESTS = Counter(
    "ates_gateway_requests_total",
    "Slack requests answered: acked; refused (a domain's refusal, an outage, or 4xx: unverified or unhandled); "
    "failed (any other error, or 5xx)",
    ["outcome"],
)
OUTCOME = "ates_outcome"  # set in the request's context by the error handler, read when the answer leaves
# Only the app's own words become label values (a slash command's text is the user's): a bounded set of series.
SUBCOMMANDS = frozenset({"new", "list", "edit", "delete", "help", "board", "role", "week", "month", "yesterday"})


class MeteredApp(App):
    """A Bolt app that times each answer and counts it by outcome."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        try:
            response = super().dispatch(req)
        except Exception:
            REQUESTS.labels("failed").inc()
            raise
        if 400 <= response.status < 500:  # unsigned, stale or unhandled: its body says nothing to trust
            REQUESTS.labels("refused").inc()
            return response
        REQUESTS.labels(req.context.get(OUTCOME) or ("acked" if response.status < 400 else "failed")).inc()
        ACK_SECONDS.labels(*labels(req.body)).observe(time.perf_counter() - started)
        return response

    def error(self, func: Callable[..., BoltResponse | None]) -> Callable[..., BoltResponse | None]:
        """The app's error handler, after noting whether the error refused the request or failed it."""
        handler = CustomListenerErrorHandler(self.logger, func)  # what Bolt would make of `func` itself

        def noted(error: Exception, request: BoltRequest, response: BoltResponse | None) -> None:
            request.context[OUTCOME] = "refused" if isinstance(error, (TaskError, *OUTAGES)) else "failed"
            handler.handle(error, request, response)  # sets the response to the one `func` returns, if any

        super().error(noted)
        return func


def labels(body: dict[str, Any]) -> tuple[str, str]:
    """(command, action): ("/task", "new"), ("block_actions", "task_done"), ("event_callback", "app_home_opened")…"""
    if "command" in body:
        word = str(body.get("text", "")).strip().partition(" ")[0].lower()
        return str(body["command"]), word if word in SUBCOMMANDS or not word else "other"
    kind = str(body.get("type", "unknown"))
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return kind, str(actions[0].get("action_id", ""))
    if kind == "event_callback":
        return kind, str(body.get("event", {}).get("type", ""))
    if "view" in body:
        return kind, str(body["view"].get("callback_id", ""))
    return kind, str(body.get("callback_id", ""))
