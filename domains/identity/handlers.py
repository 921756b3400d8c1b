"""Identity's commands: each is one unit of work."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from domains.identity.model import Profile, Role, UserView, initial_role
from domains.identity.tables import User, inbox, outbox
from domains.kernel.clock import utcnow
from domains.kernel.contracts import UserCreated, UserDeleted, UserRoleChanged, UserUpdated
from domains.kernel.unit_of_work import UnitOfWork


class UnknownUser(Exception):
    """No such user in aTES."""


def unit_of_work(sessions: sessionmaker[Session]) -> UnitOfWork:
    return UnitOfWork(sessions, "identity", outbox, inbox)


def sync_profile(uow: UnitOfWork, profile: Profile, admin_ids: frozenset[str]) -> UserView:
    """Create or refresh a user from their Slack profile, emitting what changed."""
    with uow:
        view = _sync(uow, profile, admin_ids)
        uow.commit()
    return view


def sync_profiles(uow: UnitOfWork, profiles: list[Profile], admin_ids: frozenset[str]) -> int:
    """Sync a page of Slack members in one transaction; returns how many."""
    with uow:
        for profile in profiles:
            _sync(uow, profile, admin_ids)
        uow.commit()
    return len(profiles)


def _sync(uow: UnitOfWork, profile: Profile, admin_ids: frozenset[str]) -> UserView:
    user = uow.session.get(User, profile.slack_id, with_for_update=True)
    if user is None:
        user = User(slack_id=profile.slack_id, role=initial_role(profile, admin_ids), is_active=not profile.deleted)
        _copy_profile(user, profile)
        uow.session.add(user)
        uow.emit(
            UserCreated(
                user_id=user.slack_id, name=user.name, email=user.email, avatar_url=user.avatar_url, role=_role(user)
            )
        )
        if profile.deleted:
            uow.emit(UserDeleted(user_id=user.slack_id))
        return user_view(user)
    before = user_view(user)
    _copy_profile(user, profile)
    if user.role != "admin" and initial_role(profile, admin_ids) == "admin":
        user.role = "admin"
    user.is_active = not profile.deleted
    after = user_view(user)
    if after != before:
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
        if before.is_active and not after.is_active:
            uow.emit(UserDeleted(user_id=user.slack_id))
    return after


def change_role(uow: UnitOfWork, user_id: str, role: Role, changed_by: str) -> UserView:
    """Give a user a new role, emitting UserRoleChanged (nothing when it is already theirs)."""
    with uow:
        user = uow.session.get(User, user_id, with_for_update=True)
        if user is None:
            raise UnknownUser(user_id)
        old_role = _role(user)
        if old_role != role:
            user.role = role
            user.updated_at = utcnow()
            uow.emit(UserRoleChanged(user_id=user_id, old_role=old_role, new_role=role, changed_by=changed_by))
        view = user_view(user)
        uow.commit()
    return view


def _copy_profile(user: User, profile: Profile) -> None:
    user.name = profile.name
    user.email = profile.email
    user.avatar_url = profile.avatar_url
    user.updated_at = utcnow()


def _role(user: User) -> Role:
    return user.role  # type: ignore[return-value]


def user_view(user: User) -> UserView:
    return UserView(user.slack_id, user.name, user.email, user.avatar_url, _role(user), user.is_active)
