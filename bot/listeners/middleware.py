"""What every listener finds in Bolt's context: the services (`services_of`), and who is asking
(`context["actor"]`), fetched from Slack on their first contact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient

from bot.services import Services
from bot.users_sync import profile_from_slack
from domains.identity import handlers as identity
from domains.identity.commands import SyncProfiles
from domains.identity.model import UserView
from domains.identity.queries import get_user


class WithServices(Middleware):
    """Puts the services in every request's context, first of all middleware, as `context["services"]`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        req.context["services"] = self.services
        return next()


def services_of(context: BoltContext) -> Services:
    """The services, as `WithServices` put them in the context (a lazy listener's copy holds the same ones)."""
    services: Services = context["services"]
    return services


def known_user(services: Services, client: WebClient, user_id: str) -> UserView:
    """The user as aTES knows them, read afresh; fetched from Slack on first contact."""
    user = get_user(services.sessions, user_id)
    if user is None:
        member = client.users_info(user=user_id)["user"]
        synced = SyncProfiles(profiles=(profile_from_slack(member),), admin_ids=services.settings.admin_ids)
        [user] = identity.sync_profiles(identity.unit_of_work(services.sessions), synced)
    return user


def current_actor(services: Services, client: WebClient, user_id: str) -> UserView:
    """The user asking, from the last few seconds' cache or read afresh: most acks need no database."""
    user = services.actors.get(user_id)
    if user is None:
        user = known_user(services, client, user_id)
        services.actors.put(user)
    return user


def load_actor(context: BoltContext, client: WebClient, body: dict[str, Any], next: Callable[[], None]) -> None:
    """A user's request carries them as `context["actor"]` (events carry none: nobody is asking)."""
    user_id = context.user_id
    if user_id and body.get("type") != "event_callback":
        context["actor"] = current_actor(services_of(context), client, user_id)
    next()


def register(app: App) -> None:
    app.middleware(load_actor)
