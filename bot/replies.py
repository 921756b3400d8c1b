"""Answering one person privately, wherever their request came from; refusals that echo what they typed."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, SectionBlock

from bot.blocks import plain, render, section, slack_escape

log = logging.getLogger(__name__)
_FORMATTED = re.compile(r"[*_~`]|:[^\s:]+:")  # what mrkdwn would make bold, italic, struck, code or an emoji


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused, naming what the person typed: `said` is shown exactly as written (never
    formatted, never a ping or a link), then `usage`, our own mrkdwn."""

    said: str
    usage: str = ""

    def message(self) -> dict[str, Any]:
        """The message's fields: its text alone while mrkdwn shows `said` unchanged, otherwise with blocks that
        carry `said` as plain text (the text then is only the notification's)."""
        text = "\n".join(part for part in (slack_escape(self.said), self.usage) if part)
        if not _FORMATTED.search(self.said):
            return {"text": text}
        blocks: list[Block] = [SectionBlock(text=plain(self.said)), *([section(self.usage)] if self.usage else [])]
        return {"text": text, "blocks": render(blocks)}


def message_of(answer: str | Refusal) -> dict[str, Any]:
    """A reply's fields: a string is our own words in mrkdwn, a Refusal echoes the user's as typed."""
    return answer.message() if isinstance(answer, Refusal) else {"text": answer}


def reply_privately(respond: Respond | None, client: WebClient, user_id: str | None, answer: str | Refusal) -> None:
    """Ephemeral where the request came from; by DM when it has nowhere to answer (App Home, shortcuts)."""
    try:
        if respond is not None and respond.response_url:
            respond(**message_of(answer), response_type="ephemeral", replace_original=False)
        elif user_id:
            client.chat_postMessage(channel=user_id, **message_of(answer))
    except Exception:
        log.exception("could not send the reply %r", answer)
