"""Bringing Slack's members into identity: the workspace sync at start and single lookups."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from domains.identity import handlers as identity
from domains.identity.commands import SyncProfiles
from domains.identity.model import Profile

log = logging.getLogger(__name__)
SLACKBOT = "USLACKBOT"


def profile_from_slack(member: dict[str, Any]) -> Profile:
    profile = member.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or member.get("real_name") or member.get("name")
    return Profile(
        slack_id=member["id"],
        name=name or member["id"],
        email=profile.get("email"),
        avatar_url=profile.get("image_192") or profile.get("image_72"),
        is_workspace_admin=bool(member.get("is_admin") or member.get("is_owner") or member.get("is_primary_owner")),
        deleted=bool(member.get("deleted")),
    )


def is_person(member: dict[str, Any]) -> bool:
    return not (member.get("is_bot") or member.get("is_app_user") or member["id"] == SLACKBOT)


def sync_workspace(client: WebClient, sessions: sessionmaker[Session], admin_ids: frozenset[str]) -> int:
    """Sync every page of `users.list` (people only, deleted ones skipped); returns how many were synced."""
    synced = 0
    for page in client.users_list(limit=200):
        profiles = tuple(profile_from_slack(m) for m in page["members"] if is_person(m) and not m.get("deleted"))
        synced += len(
            identity.sync_profiles(
                identity.unit_of_work(sessions), SyncProfiles(profiles=profiles, admin_ids=admin_ids)
            )
        )
    log.info("synced %d Slack members", synced)
    return synced
