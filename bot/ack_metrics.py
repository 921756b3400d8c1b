"""The gateway's ack latency and outcomes for Prometheus, over HTTP and Socket Mode alike (both call dispatch)."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Counter, Histogram
from slack_bolt import App, BoltRequest, BoltResponse

ACK_SECONDS = Histogram(
    "ates_gateway_ack_seconds",
    "Time from a verified Slack request reaching the app to its answer (the ack)",
    ["command", "action"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5),
)
REQUESTS = Counter(
    "ates_gateway_requests_total",
    "Slack requests answered: acked (2xx), refused (4xx: unverified or unhandled), failed (5xx or an exception)",
    ["outcome"],
)
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
        outcome = "acked" if response.status < 400 else "refused" if response.status < 500 else "failed"
        REQUESTS.labels(outcome).inc()
        if outcome != "refused":  # a refused request may be unsigned: its body says nothing to trust
            ACK_SECONDS.labels(*labels(req.body)).observe(time.perf_counter() - started)
        return response


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
