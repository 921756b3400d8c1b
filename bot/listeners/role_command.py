"""`/ates role @user worker|manager|accountant|admin`: admins give roles; the change counts at once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.home import publish_home
from bot.listeners.later import ack_or_refuse, answered
from bot.listeners.middleware import known_user, services_of
from bot.people import UnknownPerson, person_id
from bot.replies import Refusal, message_of
from bot.services import Services
from domains.identity import handlers as identity
from domains.identity.commands import ChangeRole
from domains.identity.model import ROLES, Role, UserView, can_change_roles

log = logging.getLogger(__name__)
USAGE = (
    "*How to use `/ates`*\n"
    f"• `/ates role @someone {'|'.join(ROLES)}`: give someone a role (admins only); "
    "`@someone` is picked from Slack's @ menu, or their name or user id.\n"
    "• `/ates help`: this message."
)
WHAT_A_ROLE_MAY = {
    "worker": "you are given tasks: each costs its fee when assigned and pays its reward when done.",
    "manager": "you see the whole board (`/task board`) and can shuffle open tasks.",
    "accountant": "you see the company's money (`/accounting`).",
    "admin": "you give roles (`/ates role`) and see the board, `/accounting` and `/analytics`.",
}


@dataclass(frozen=True)
class RoleRequest:
    person: str  # as typed: a mention, a user id or a name
    role: Role


def parse_role_change(text: str) -> RoleRequest | str:
    """`role <@U123|sky> manager` -> a RoleRequest; anything else -> the usage, or what is wrong as plain words."""
    words = text.split()
    if len(words) < 3 or words[0].lower() != "role":
        return USAGE
    role = words[-1].lower()
    if role not in ROLES:
        return f'"{words[-1]}" is not a role: {", ".join(ROLES)}. Nothing was changed.'
    return RoleRequest(" ".join(words[1:-1]), role)


def acknowledge(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """The usage or a refusal at once; a role change is acknowledged and made after."""
    ack_or_refuse(ack, _refusal(context["actor"], command))


def change(
    body: dict[str, Any], command: dict[str, Any], respond: Respond, context: BoltContext, client: WebClient
) -> None:
    """After the ack: find the person, give them the role, tell them, and answer the admin."""
    actor: UserView = context["actor"]
    with answered(body, context):
        asked = parse_role_change(str(command.get("text", "")))
        if isinstance(asked, RoleRequest) and not _refusal(actor, command):
            respond(response_type="ephemeral", **message_of(_give_role(services_of(context), client, actor, asked)))


def register(app: App) -> None:
    app.command("/ates")(ack=acknowledge, lazy=[change])


def _give_role(services: Services, client: WebClient, actor: UserView, asked: RoleRequest) -> str | Refusal:
    """What the admin is told: the change made, or why there was none."""
    try:
        user_id = person_id(services.sessions, asked.person)
        known_user(services, client, user_id)  # fetched from Slack if aTES has not met them yet
        change = services.commands.handle(ChangeRole(user_id=user_id, role=asked.role, changed_by=actor.slack_id))
    except UnknownPerson as unknown:
        return unknown.answer
    except identity.LastAdmin:
        return f"<@{user_id}> is the last active admin: make someone else an admin first. Nothing was changed."
    except SlackApiError as error:
        if error.response.get("error") != "user_not_found":
            raise
        return f"There is no user <@{user_id}> in this workspace."
    services.actors.forget(user_id)  # counts at once here; other gateway processes within the cache's TTL
    role = asked.role
    if not change.changed:
        return f"<@{user_id}> is already {_article(role)} {role}; nothing was changed."
    told = _tell(services, client, actor, change.user)
    return f"<@{user_id}> is now {_article(role)} {role} (was {_article(change.old_role)} {change.old_role}){told}."


def _tell(services: Services, client: WebClient, actor: UserView, user: UserView) -> str:
    """DM the person and republish their Home as their new role's; returns how that went, for the admin."""
    text = f"<@{actor.slack_id}> made you {_article(user.role)} {user.role} in aTES: {WHAT_A_ROLE_MAY[user.role]}"
    try:
        client.chat_postMessage(channel=user.slack_id, text=text)
        publish_home(client, services.sessions, services.settings, user)
    except SlackApiError:
        log.exception("could not tell %s of their new role", user.slack_id)
        return "; I could not tell them by DM"
    return "; they have been told by DM"


def _refusal(actor: UserView, command: dict[str, Any]) -> str | Refusal | None:
    asked = parse_role_change(str(command.get("text", "")))
    if asked == USAGE:
        return USAGE
    if not can_change_roles(actor.role):
        return "Only admins can change roles; nothing was changed."
    return Refusal(asked) if isinstance(asked, str) else None  # names the role as typed


def _article(role: str) -> str:
    return "an" if role[0] in "aeiou" else "a"
