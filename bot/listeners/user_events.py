"""Slack's `team_join` and `user_change`: keep each user's name, e-mail, photo and activity current."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.listeners.middleware import services_of
from bot.users_sync import is_person, profile_from_slack
from domains.identity import handlers as identity
from domains.identity.commands import SyncProfiles


def member_changed(event: dict[str, Any], context: BoltContext) -> None:
    """Sync the member: UserCreated, UserUpdated, or UserDeleted when deactivated."""
    member = event["user"]
    if is_person(member):
        services = services_of(context)
        synced = SyncProfiles(profiles=(profile_from_slack(member),), admin_ids=services.settings.admin_ids)
        identity.sync_profiles(identity.unit_of_work(services.sessions), synced)
        services.actors.forget(str(member["id"]))


def register(app: App) -> None:
    app.event("team_join")(member_changed)
    app.event("user_change")(member_changed)
