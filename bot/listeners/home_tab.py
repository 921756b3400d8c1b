"""The App Home: published when opened, and its Shuffle button for managers and admins."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.home import publish_home
from bot.home_view import HOME_SHUFFLE
from bot.listeners.later import answered, just_ack
from bot.listeners.middleware import known_user, services_of
from bot.task_ui import SHUFFLE_REFUSAL, shuffle_all
from domains.identity.model import UserView, can_shuffle


def home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Publish the user's home each time they open its tab (the messages tab needs nothing)."""
    if event.get("tab", "home") != "home":
        return
    services = services_of(context)
    with answered(body, context):
        actor = known_user(services, client, str(event["user"]))
        publish_home(client, services.sessions, services.settings, actor)


def shuffle_clicked(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Shuffle from the App Home (Slack asked to confirm first); the Home shows the result where it was asked."""
    actor: UserView = context["actor"]
    services = services_of(context)
    with answered(body, context):
        if not can_shuffle(actor.role):  # a Home published before their role changed
            client.chat_postMessage(channel=actor.slack_id, text=SHUFFLE_REFUSAL)
        else:
            shuffle_all(services, actor)
        publish_home(client, services.sessions, services.settings, actor)


def register(app: App) -> None:
    app.event("app_home_opened")(ack=just_ack, lazy=[home_opened])
    app.action(HOME_SHUFFLE)(ack=just_ack, lazy=[shuffle_clicked])
