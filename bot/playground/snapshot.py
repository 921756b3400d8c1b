"""What one person sees in the page: their conversations, their App Home and their open modals."""

from __future__ import annotations

from typing import Any

from bot.playground.state import Message, SlackState
from bot.playground.workspace import BOT_USER_ID, PEOPLE, TEAM_NAME, channel_name, dm_channel


def people(base_url: str, roles: dict[str, str]) -> list[dict[str, Any]]:
    every = [
        {
            "id": person.slack_id,
            "name": person.name,
            "title": person.title,
            "avatar": f"{base_url}playground/avatars/{person.slack_id}.svg",
            "role": roles.get(person.slack_id),
        }
        for person in PEOPLE
    ]
    bot = {"id": BOT_USER_ID, "name": "aTES", "title": "app", "avatar": f"{base_url}playground/avatars/bot.svg"}
    return [*every, {**bot, "role": None, "is_bot": True}]


def _message(message: Message) -> dict[str, Any]:
    return {
        "ts": message.ts,
        "author": message.author,
        "text": message.text,
        "blocks": message.blocks,
        "ephemeral": message.ephemeral_to is not None,
        "files": message.files,
        "edited": message.edited,
    }


def snapshot(state: SlackState, user_id: str, base_url: str, roles: dict[str, str]) -> dict[str, Any]:
    with state.lock:
        own_dm = dm_channel(user_id)
        shared = [c for c in state.channels if not c.startswith("D")]
        conversations = [
            {
                "id": channel,
                "name": "aTES" if channel == own_dm else channel_name(channel),
                "kind": "dm" if channel == own_dm else "channel",
                "messages": [_message(m) for m in state.channels.get(channel, []) if m.visible_to(user_id)],
            }
            for channel in [own_dm, *shared]
        ]
        home = state.homes.get(user_id)
        return {
            "version": state.version,
            "team": TEAM_NAME,
            "me": user_id,
            "people": people(base_url, roles),
            "conversations": conversations,
            "home": home.as_slack() if home else None,
            "modals": [view.as_slack() for view in state.modals.get(user_id, [])],
        }
