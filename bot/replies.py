"""Answering one person privately, wherever their request came from."""

from __future__ import annotations

import logging

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

log = logging.getLogger(__name__)


def reply_privately(respond: Respond | None, client: WebClient, user_id: str | None, text: str) -> None:
    """Ephemeral where the request came from; by DM when it has nowhere to answer (App Home, shortcuts)."""
    try:
        if respond is not None and respond.response_url:
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif user_id:
            client.chat_postMessage(channel=user_id, text=text)
    except Exception:
        log.exception("could not send the reply %r", text)
