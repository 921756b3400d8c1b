"""The App Home: published when opened, and its Shuffle button for managers and admins."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.home import publish_home
from bot.home_view import HOME_SHUFFLE
from bot.listeners.later import answering, just_ack
from bot.listeners.middleware import known_user
from bot.services import Services
from bot.task_ui import SHUFFLE_REFUSAL, shuffle_all
from domains.identity.model import UserView, can_shuffle


def register(app: App, services: Services) -> None:
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        """Publish the user's home each time they open its tab (the messages tab needs nothing)."""
        if event.get("tab", "home") != "home":
            return
        actor = known_user(services, client, str(event["user"]))
        publish_home(client, services.sessions, services.settings, actor)

    def shuffle_clicked(client: WebClient, context: BoltContext) -> None:
        """Shuffle from the App Home (Slack asked to confirm first); the Home shows the result where it was asked."""
        actor: UserView = context["actor"]
        if not can_shuffle(actor.role):  # a Home published before their role changed
            client.chat_postMessage(channel=actor.slack_id, text=SHUFFLE_REFUSAL)
        else:
            shuffle_all(services, actor)
        publish_home(client, services.sessions, services.settings, actor)

    app.event("app_home_opened")(ack=just_ack, lazy=[answering(home_opened)])
    app.action(HOME_SHUFFLE)(ack=just_ack, lazy=[answering(shuffle_clicked)])
