"""Slack sends an event again when it thinks we missed it: act on each event once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.listeners.middleware import services_of

log = logging.getLogger(__name__)


def event_keys(body: dict[str, Any]) -> list[str]:
    """What identifies an event delivery: its event_id, and the event itself (Slack may resend it under a new id)."""
    event = body.get("event") or {}
    keys = [f"slack-event:{body.get('event_id')}"]
    stamp = event.get("ts") or event.get("event_ts")
    if stamp:
        keys.append(f"slack-event:{body.get('team_id')}:{event.get('type')}:{event.get('channel', '')}:{stamp}")
    return keys


def once_per_event(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> BoltResponse | None:
    """Let an Events API delivery through only the first time; a repeat is acknowledged and dropped."""
    if body.get("type") != "event_callback":
        next()
        return None
    once = services_of(context).once
    firsts = [once.first(key) for key in event_keys(body)]  # remember every key, even on a repeat
    if all(firsts):
        next()
        return None
    log.info("dropped a repeated Slack event %s", body.get("event_id"))
    return BoltResponse(status=200, body="")


def register(app: App) -> None:
    app.middleware(once_per_event)
