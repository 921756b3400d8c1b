"""Identity's commands: what a person (or the gateway meeting Slack's members) orders identity to do."""

from __future__ import annotations

from domains.identity.model import Profile, Role
from domains.kernel.commands import Requested


class SyncProfiles(Requested):
    """Create or refresh users from their Slack profiles (one, or a page of `users.list`), in one transaction.

    `admin_ids` are the configured admins: they (and Slack's workspace admins) start as admins."""

    profiles: tuple[Profile, ...]
    admin_ids: frozenset[str] = frozenset()


class ChangeRole(Requested):
    """Give a user a role (an admin asks; the last active admin keeps theirs)."""

    user_id: str
    role: Role
    changed_by: str
