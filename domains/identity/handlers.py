"""Identity's command handlers, one per command: each is one unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domains.identity.commands import ChangeRole, SyncProfiles
from domains.identity.model import Profile, Role, UserView, initial_role
from domains.identity.tables import User, inbox, outbox
from domains.kernel.clock import utcnow
from domains.kernel.contracts import UserCreated, UserDeleted, UserRoleChanged, UserUpdated
from domains.kernel.db import dialect_insert, table_of
from domains.kernel.unit_of_work import UnitOfWork


class UnknownUser(Exception):
    """No such user in aTES."""


class LastAdmin(Exception):
    """The user is the last active admin: taking the role away would leave nobody to give roles."""


@dataclass(frozen=True)
class RoleChange:
    user: UserView
    old_role: Role

    @property
    def changed(self) -> bool:
        return self.user.role != self.old_role


def unit_of_work(sessions: sessionmaker[Session], clock: Callable[[], datetime] = utcnow) -> UnitOfWork:
    return UnitOfWork(sessions, "identity", outbox, inbox, clock)


def sync_profiles(uow: UnitOfWork, command: SyncProfiles) -> list[UserView]:
    """Create or refresh users from their Slack profiles in one transaction, emitting what changed; returns them."""
    with uow:
        uow.begin(command)
        users = [_sync(uow, profile, command.admin_ids) for profile in command.profiles]
        uow.commit()
    return users


def _sync(uow: UnitOfWork, profile: Profile, admin_ids: frozenset[str]) -> UserView:
    """Create the user on first meeting (an upsert: two first meetings at once both succeed), else refresh them.

    The role is decided only on creation, or when there is no active admin left (nobody could give roles);
    after that only `change_role` changes it.
    """
    eligible = initial_role(profile, admin_ids) == "admin"
    admins = _active_admins(uow.session) if eligible else []  # locked before the user, as change_role does
    created = _insert_if_new(uow, profile, initial_role(profile, admin_ids))
    user = uow.session.get(User, profile.slack_id, with_for_update=True)
    assert user is not None
    if created:
        uow.emit(
            UserCreated(
                user_id=user.slack_id, name=user.name, email=user.email, avatar_url=user.avatar_url, role=_role(user)
            )
        )
        if profile.deleted:
            uow.emit(UserDeleted(user_id=user.slack_id))
        return user_view(user)
    before = user_view(user)
    _copy_profile(user, profile, uow.clock())
    user.is_active = not profile.deleted
    if eligible and user.is_active and not admins:
        user.role = "admin"
    after = user_view(user)
    if after != before:
        _emit_updated(uow, user, before)
    return after


def _insert_if_new(uow: UnitOfWork, profile: Profile, role: Role) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True when this call created the user."""
    row = {
        "slack_id": profile.slack_id,
        "name": profile.name,
        "email": profile.email,
        "avatar_url": profile.avatar_url,
        "role": role,
        "is_active": not profile.deleted,
        "updated_at": uow.clock(),
    }
    statement = dialect_insert(uow.session, table_of(User)).values(row)
    inserted = uow.session.execute(
        statement.on_conflict_do_nothing(index_elements=["slack_id"]).returning(User.slack_id)
    )
    return inserted.first() is not None


def _emit_updated(uow: UnitOfWork, user: User, before: UserView) -> None:
    uow.emit(
        UserUpdated(
            user_id=user.slack_id,
            name=user.name,
            email=user.email,
            avatar_url=user.avatar_url,
            role=_role(user),
            is_active=user.is_active,
        )
    )
    if before.is_active and not user.is_active:
        uow.emit(UserDeleted(user_id=user.slack_id))


def _active_admins(session: Session) -> list[str]:
    """The active admins' ids, their rows locked: two demotions at once cannot both pass the last-admin check."""
    query = select(User.slack_id).where(User.role == "admin", User.is_active.is_(True)).with_for_update()
    return list(session.scalars(query.order_by(User.slack_id)))


def change_role(uow: UnitOfWork, command: ChangeRole) -> RoleChange:
    """Give a user a new role, emitting UserRoleChanged (nothing when it is already theirs).

    The last active admin keeps the role: without one, nobody could give roles any more.
    """
    user_id, role, changed_by = command.user_id, command.role, command.changed_by
    with uow:
        uow.begin(command)
        admins = _active_admins(uow.session)  # locked first, in id order: role changes at once cannot deadlock
        user = uow.session.get(User, user_id, with_for_update=True)
        if user is None:
            raise UnknownUser(user_id)
        old_role = _role(user)
        if role != "admin" and admins == [user_id]:
            raise LastAdmin(user_id)
        if old_role != role:
            user.role = role
            user.updated_at = uow.clock()
            uow.emit(UserRoleChanged(user_id=user_id, old_role=old_role, new_role=role, changed_by=changed_by))
        change = RoleChange(user_view(user), old_role)
        uow.commit()
    return change


def _copy_profile(user: User, profile: Profile, at: datetime) -> None:
    user.name = profile.name
    user.email = profile.email
    user.avatar_url = profile.avatar_url
    user.updated_at = at


def _role(user: User) -> Role:
    return user.role  # type: ignore[return-value]


def user_view(user: User) -> UserView:
    return UserView(user.slack_id, user.name, user.email, user.avatar_url, _role(user), user.is_active)
