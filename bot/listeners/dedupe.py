"""Slack delivers an event again when it thinks we missed it (X-Slack-Retry-Num): act on each event_id once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.services import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.middleware
    def once_per_event(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not services.once.first(f"slack-event:{event_id}"):
            log.info("ignoring a repeated delivery of Slack event %s", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None
