"""Identity's command handlers against an in-memory unit of work: SQLite in memory with identity's own tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domains.identity import handlers as identity
from domains.identity.commands import ChangeRole, SyncProfiles
from domains.identity.model import Profile, UserView
from domains.identity.tables import User, metadata, outbox
from domains.kernel.clock import as_utc
from tests.fakes.clock import FakeClock
from tests.in_memory import in_memory_sessions


@pytest.fixture
def sessions() -> sessionmaker[Session]:
    return in_memory_sessions(metadata)


def emitted(sessions: sessionmaker[Session]) -> list[tuple[str, dict[str, Any]]]:
    with sessions() as session:
        events = [json.loads(body) for body in session.scalars(select(outbox.c.body).order_by(outbox.c.id))]
    return [(event["event_name"], event["data"]) for event in events]


def sync(
    sessions: sessionmaker[Session], *profiles: Profile, admin_ids: frozenset[str] = frozenset()
) -> list[UserView]:
    return identity.sync_profiles(identity.unit_of_work(sessions), SyncProfiles(profiles=profiles, admin_ids=admin_ids))


def change(sessions: sessionmaker[Session], user_id: str, role: str, by: str = "UADA") -> identity.RoleChange:
    command = ChangeRole(user_id=user_id, role=role, changed_by=by)  # type: ignore[arg-type]
    return identity.change_role(identity.unit_of_work(sessions), command)


def test_a_new_member_is_created_once_as_a_worker_unless_a_configured_admin(sessions: sessionmaker[Session]) -> None:
    ada, kesha = Profile("UADA", "Ada"), Profile("UKESHA", "Kesha")
    users = sync(sessions, ada, kesha, admin_ids=frozenset({"UADA"}))
    assert [(user.slack_id, user.role) for user in users] == [("UADA", "admin"), ("UKESHA", "worker")]
    sync(sessions, ada, kesha)  # met again, unchanged: nothing to tell
    assert [(name, data["user_id"], data["role"]) for name, data in emitted(sessions)] == [
        ("UserCreated", "UADA", "admin"),
        ("UserCreated", "UKESHA", "worker"),
    ]


def test_a_renamed_member_is_updated_and_a_deactivated_one_deleted(sessions: sessionmaker[Session]) -> None:
    sync(sessions, Profile("UKESHA", "Kesha"))
    sync(sessions, Profile("UKESHA", "Innokentiy"))
    sync(sessions, Profile("UKESHA", "Innokentiy", deleted=True))
    assert [(name, data.get("name"), data.get("is_active")) for name, data in emitted(sessions)] == [
        ("UserCreated", "Kesha", None),
        ("UserUpdated", "Innokentiy", True),
        ("UserUpdated", "Innokentiy", False),
        ("UserDeleted", None, None),
    ]


def test_a_role_change_is_told_once_and_a_role_already_held_changes_nothing(sessions: sessionmaker[Session]) -> None:
    sync(sessions, Profile("UADA", "Ada"), Profile("UMAX", "Max"), admin_ids=frozenset({"UADA"}))
    assert change(sessions, "UMAX", "manager").changed
    assert not change(sessions, "UMAX", "manager").changed
    changes = [data for name, data in emitted(sessions) if name == "UserRoleChanged"]
    assert changes == [{"user_id": "UMAX", "old_role": "worker", "new_role": "manager", "changed_by": "UADA"}]


def test_the_last_active_admin_keeps_the_role_and_nothing_is_written(sessions: sessionmaker[Session]) -> None:
    sync(sessions, Profile("UADA", "Ada"), admin_ids=frozenset({"UADA"}))
    before = emitted(sessions)
    with pytest.raises(identity.LastAdmin):
        change(sessions, "UADA", "worker")
    with pytest.raises(identity.UnknownUser):
        change(sessions, "UNOBODY", "manager")
    assert emitted(sessions) == before


def test_a_member_is_dated_by_the_unit_of_works_clock(sessions: sessionmaker[Session]) -> None:
    """The process's clock (ATES_CLOCK_START in a demo), as tasks and accounting are, not the wall clock."""
    clock = FakeClock(datetime(2026, 11, 20, 23, 50, tzinfo=UTC))
    identity.sync_profiles(identity.unit_of_work(sessions, clock), SyncProfiles(profiles=(Profile("U1", "Ann"),)))
    clock.advance(minutes=20)
    identity.sync_profiles(identity.unit_of_work(sessions, clock), SyncProfiles(profiles=(Profile("U2", "Bo"),)))
    clock.advance(minutes=5)
    promote = ChangeRole(user_id="U1", role="admin", changed_by="U2")
    identity.change_role(identity.unit_of_work(sessions, clock), promote)
    with sessions() as session:
        updated = {user: as_utc(at) for user, at in session.execute(select(User.slack_id, User.updated_at))}
    assert updated == {
        "U1": datetime(2026, 11, 21, 0, 15, tzinfo=UTC),
        "U2": datetime(2026, 11, 21, 0, 10, tzinfo=UTC),
    }
