"""Users and roles: the rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["worker", "manager", "accountant", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)


@dataclass(frozen=True)
class Profile:
    """A Slack member as Slack describes them."""

    slack_id: str
    name: str
    email: str | None = None
    avatar_url: str | None = None
    is_workspace_admin: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class UserView:
    slack_id: str
    name: str
    email: str | None
    avatar_url: str | None
    role: Role
    is_active: bool


def initial_role(profile: Profile, admin_ids: frozenset[str]) -> Role:
    """Configured admins and Slack's own owners and admins start as admins; everyone else as a worker."""
    return "admin" if profile.slack_id in admin_ids or profile.is_workspace_admin else "worker"


def can_shuffle(role: Role) -> bool:
    return role in ("manager", "admin")


def can_see_accounting(role: Role) -> bool:
    return role in ("accountant", "admin")


def can_see_analytics(role: Role) -> bool:
    return role == "admin"


def can_change_roles(role: Role) -> bool:
    return role == "admin"
