"""`/ates role @user worker|manager|accountant|admin`: admins give roles; the change counts at once."""

from __future__ import annotations

import re
from typing import Any, cast

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.later import ack_or_refuse, answering
from bot.listeners.middleware import known_user
from bot.services import Services
from domains.identity import handlers as identity
from domains.identity.model import ROLES, Role, UserView, can_change_roles

USAGE = (
    "*How to use `/ates`*\n"
    f"• `/ates role @someone {'|'.join(ROLES)}`: give someone a role (admins only).\n"
    "• `/ates help`: this message."
)
# Slack escapes a mention in a command's text as <@U123|name> (or <@U123>); a bare id is accepted too.
_USER = re.compile(r"^(?:<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|([UW][A-Z0-9]{2,}))$")


def parse_role_change(text: str) -> tuple[str, Role] | None:
    """`role <@U123|name> manager` -> ("U123", "manager"); None when it is not that shape."""
    words = text.split()
    if len(words) != 3 or words[0].lower() != "role" or words[2].lower() not in ROLES:
        return None
    mention = _USER.match(words[1])
    if mention is None:
        return None
    return mention.group(1) or mention.group(2), cast(Role, words[2].lower())


def register(app: App, services: Services) -> None:
    def acknowledge(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        """The usage for anything but a role change, and a refusal for all but admins, at once."""
        ack_or_refuse(ack, _refusal(context["actor"], command))

    def change(command: dict[str, Any], respond: Respond, context: BoltContext, client: WebClient) -> None:
        """After the ack: give the user the role (fetched from Slack if aTES does not know them yet)."""
        actor: UserView = context["actor"]
        asked = parse_role_change(str(command.get("text", "")))
        if asked is None or _refusal(actor, command):
            return
        user_id, role = asked
        try:
            known_user(services, client, user_id)
        except SlackApiError as error:
            if error.response.get("error") != "user_not_found":
                raise
            respond(response_type="ephemeral", text=f"There is no user <@{user_id}> in this workspace.")
            return
        user = identity.change_role(identity.unit_of_work(services.sessions), user_id, role, actor.slack_id)
        services.actors.forget(user_id)  # counts at once here; other gateway processes within the cache's TTL
        respond(response_type="ephemeral", text=f"<@{user.slack_id}> is now {_article(role)} {role}.")

    app.command("/ates")(ack=acknowledge, lazy=[answering(change)])


def _refusal(actor: UserView, command: dict[str, Any]) -> str | None:
    if parse_role_change(str(command.get("text", ""))) is None:
        return USAGE
    if not can_change_roles(actor.role):
        return "Only admins can change roles; nothing was changed."
    return None


def _article(role: str) -> str:
    return "an" if role[0] in "aeiou" else "a"
