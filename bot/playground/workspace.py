"""The demo workspace the playground pretends to be: its people, their avatars and its channels."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from domains.identity.model import Role

TEAM_ID = "T0PLAYGROUND"
TEAM_NAME = "aTES playground"
BOT_USER_ID = "UATESBOT"
BOT_ID = "BATESBOT"
GENERAL = "CGENERAL"
ANALYTICS = "CANALYTICS"
CHANNEL_NAMES = {GENERAL: "general", ANALYTICS: "analytics"}


@dataclass(frozen=True)
class Person:
    slack_id: str
    name: str
    title: str
    colour: str
    role: Role = "worker"  # the aTES role the playground gives them once, when the workspace is new
    is_admin: bool = False  # a Slack workspace admin (aTES makes them an admin on sync)


PEOPLE = (
    Person("UADA", "Ada Admin", "Head of the nest", "#7c3aed", role="admin", is_admin=True),
    Person("UMAX", "Max Manager", "Flock manager", "#2563eb", role="manager"),
    Person("UACE", "Ace Accountant", "Keeper of seeds", "#0d9488", role="accountant"),
    Person("UKIWI", "Kiwi", "Popug, beak repairs", "#16a34a"),
    Person("UMANGO", "Mango", "Popug, feather care", "#ea580c"),
    Person("UPEPPER", "Pepper", "Popug, night shift", "#dc2626"),
    Person("USKY", "Sky", "Popug, perch maintenance", "#0284c7"),
)
BY_ID = {person.slack_id: person for person in PEOPLE}


def handle(person: Person) -> str:
    """The person's Slack username: what `@` completes in the composer and Slack puts in `<@U…|name>`."""
    return person.name.split()[0].lower()


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper()


def avatar_svg(person: Person) -> str:
    """A round avatar with the person's initials: drawn here, so the page needs no internet."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="72" height="72" viewBox="0 0 72 72">'
        f'<rect width="72" height="72" rx="14" fill="{person.colour}"/>'
        '<text x="36" y="46" font-family="sans-serif" font-size="28" font-weight="700" '
        f'fill="#fff" text-anchor="middle">{escape(initials(person.name))}</text></svg>'
    )


def member(person: Person, base_url: str) -> dict[str, Any]:
    """The person as Slack's `users.list` and `users.info` describe a member."""
    avatar = f"{base_url}playground/avatars/{person.slack_id}.svg"
    return {
        "id": person.slack_id,
        "team_id": TEAM_ID,
        "name": handle(person),
        "real_name": person.name,
        "deleted": False,
        "is_bot": False,
        "is_app_user": False,
        "is_admin": person.is_admin,
        "is_owner": False,
        "tz": "UTC",
        "profile": {
            "display_name": person.name,
            "real_name": person.name,
            "title": person.title,
            "email": f"{handle(person)}@ates.example",
            "image_72": avatar,
            "image_192": avatar,
        },
    }


def bot_member(base_url: str) -> dict[str, Any]:
    """The app's own bot user, listed like Slack lists it (and skipped by the user sync)."""
    return {
        "id": BOT_USER_ID,
        "team_id": TEAM_ID,
        "name": "ates",
        "real_name": "aTES",
        "deleted": False,
        "is_bot": True,
        "profile": {"real_name": "aTES", "bot_id": BOT_ID, "image_72": f"{base_url}playground/avatars/bot.svg"},
    }


BOT_AVATAR = Person(BOT_USER_ID, "aTES", "the app", "#111827")


def avatar_of(slack_id: str) -> str | None:
    person = BY_ID.get(slack_id) or (BOT_AVATAR if slack_id in (BOT_USER_ID, "bot") else None)
    return avatar_svg(person) if person else None


def dm_channel(user_id: str) -> str:
    """The app's DM with a user (its Messages tab), as `conversations.open` names it."""
    return "D" + user_id.removeprefix("U")


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel.lstrip("#"))
