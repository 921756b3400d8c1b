"""Running the app against the playground: its settings, its demo workspace's roles, the page's wiring."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.playground.server import Playground
from bot.playground.workspace import ANALYTICS, PEOPLE
from bot.users_sync import sync_workspace
from domains.identity import handlers as identity
from domains.identity.commands import ChangeRole
from domains.identity.queries import list_users
from domains.kernel.settings import Settings

log = logging.getLogger(__name__)


def wanted(settings: Settings) -> bool:
    """The playground stands in for Slack when no Slack app is configured."""
    return settings.slack_bot_token is None and settings.slack_app_token is None


def claim_port(port: int) -> int:
    """`port`, if nothing else listens on it; a clear exit otherwise (the playground never moves elsewhere).

    The probe binds as waitress does, with SO_REUSEADDR, so the port of a run just stopped (its connections
    in TIME_WAIT) is free again at once, and the tab still open on it reconnects to the new run.
    """
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as taken:
            raise SystemExit(
                f"aTES: port {port} is taken by another program ({taken.strerror}); stop it, or pick another "
                f"port: PORT={port + 1} make run"
            ) from None
    return port


def playground_settings(settings: Settings) -> Settings:
    """The settings with the Web API pointed at the playground on PORT (exits if another program holds it)."""
    port = claim_port(settings.port)
    return settings.model_copy(
        update={
            "slack_api_url": f"http://127.0.0.1:{port}/playground/api/",
            "ates_analytics_channel": settings.ates_analytics_channel or ANALYTICS,
        }
    )


def build_playground(
    settings: Settings, sessions: sessionmaker[Session], close_day: Callable[[], str] | None
) -> Playground:
    base_url = f"http://127.0.0.1:{settings.port}/"
    return Playground(
        base_url=base_url,
        events_url=base_url + "slack/events",
        signing_secret=settings.signing_secret,
        close_day=close_day,
        roles=lambda: {user.slack_id: user.role for user in list_users(sessions)},
    )


def sync_and_seed(client: WebClient, sessions: sessionmaker[Session], admin_ids: frozenset[str]) -> None:
    """Sync the demo workspace; when aTES had no users yet, give the demo people their roles.

    The roles go through identity's own command (as `/ates role` would), so UserRoleChanged is emitted
    and every domain hears of them; a workspace that already has users keeps the roles it was given.
    """
    fresh = not list_users(sessions)
    sync_workspace(client, sessions, admin_ids)
    if not fresh:
        return
    admin = next(person for person in PEOPLE if person.is_admin)
    for person in PEOPLE:
        if person.role in ("manager", "accountant"):
            change = ChangeRole(user_id=person.slack_id, role=person.role, changed_by=admin.slack_id)
            identity.change_role(identity.unit_of_work(sessions), change)
    log.info("seeded the demo workspace's roles")
