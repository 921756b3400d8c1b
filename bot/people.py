"""Who a command names: Slack's escaped mention, a bare user id, or a plain `@name` looked up among the members."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session, sessionmaker

from bot.replies import Refusal
from domains.identity.queries import users_named

# With should_escape, Slack sends a mention picked from its menu as <@U123|sky> (or <@U123>).
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


class UnknownPerson(Exception):
    """The reference names nobody, or several people; `answer` says so, for the user, with the name as typed."""

    def __init__(self, answer: str | Refusal) -> None:
        super().__init__(answer.said if isinstance(answer, Refusal) else answer)
        self.answer = answer


def is_person_reference(word: str) -> bool:
    """A word that can only mean a person: a mention, or `@name`."""
    return bool(_MENTION.match(word)) or word.startswith("@")


def person_id(sessions: sessionmaker[Session], reference: str) -> str:
    """The Slack id of the one person `reference` names."""
    reference = reference.strip()
    if mention := _MENTION.match(reference):
        return mention.group(1)
    if _USER_ID.match(reference):
        return reference
    name = reference.removeprefix("@").strip()
    found = users_named(sessions, name) if name else []
    if len(found) == 1:
        return found[0].slack_id
    if not found:
        raise UnknownPerson(
            Refusal(f"Nobody in this workspace is called @{name or reference}: pick them from Slack's @ menu.")
        )
    everyone = ", ".join(f"<@{user.slack_id}>" for user in found)  # our own mentions: mrkdwn, after the name as typed
    said = f"Several people are called @{name}: pick the one you mean from Slack's @ menu."
    raise UnknownPerson(Refusal(said, f"They are {everyone}."))
