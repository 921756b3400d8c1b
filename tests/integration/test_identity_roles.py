"""Identity's roles on the embedded runtime's SQLite: decided when first met, kept after, never locked out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from domains.identity import handlers as identity
from domains.identity.commands import ChangeRole, SyncProfiles
from domains.identity.model import Profile
from domains.identity.queries import get_user
from domains.kernel.db import make_engine, make_session_factory
from jobs.migrations import upgrade

ADMIN_IDS = frozenset({"UCONF"})
CONFIGURED = Profile("UCONF", "Conf")
SLACK_ADMIN = Profile("UOWNER", "Owner", is_workspace_admin=True)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'ates.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def meet(sessions: sessionmaker[Session], *profiles: Profile) -> None:
    identity.sync_profiles(identity.unit_of_work(sessions), SyncProfiles(profiles=tuple(profiles), admin_ids=ADMIN_IDS))


def role_of(sessions: sessionmaker[Session], user_id: str) -> str:
    user = get_user(sessions, user_id)
    assert user is not None
    return user.role


def created(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        bodies = session.execute(text("SELECT body FROM identity_outbox ORDER BY id")).scalars()
        return [json.loads(b)["data"]["user_id"] for b in bodies if '"UserCreated"' in b]


def test_meeting_someone_again_is_an_upsert_and_keeps_the_role_given(sessions: sessionmaker[Session]) -> None:
    meet(sessions, CONFIGURED, SLACK_ADMIN, Profile("U1", "Alice"))
    identity.sync_profiles(identity.unit_of_work(sessions), SyncProfiles(profiles=(CONFIGURED,), admin_ids=ADMIN_IDS))
    assert created(sessions) == ["UCONF", "UOWNER", "U1"]
    assert [role_of(sessions, u) for u in ("UCONF", "UOWNER", "U1")] == ["admin", "admin", "worker"]

    identity.change_role(
        identity.unit_of_work(sessions), ChangeRole(user_id="UCONF", role="worker", changed_by="UOWNER")
    )
    meet(sessions, CONFIGURED, SLACK_ADMIN)  # a restart's sync, or their user_change
    assert role_of(sessions, "UCONF") == "worker"


def test_the_last_active_admin_keeps_the_role_and_a_deactivated_one_is_replaced(
    sessions: sessionmaker[Session],
) -> None:
    meet(sessions, CONFIGURED, SLACK_ADMIN)
    identity.change_role(
        identity.unit_of_work(sessions), ChangeRole(user_id="UCONF", role="worker", changed_by="UOWNER")
    )
    with pytest.raises(identity.LastAdmin):
        identity.change_role(
            identity.unit_of_work(sessions), ChangeRole(user_id="UOWNER", role="manager", changed_by="UOWNER")
        )
    assert role_of(sessions, "UOWNER") == "admin"

    gone = Profile("UOWNER", "Owner", is_workspace_admin=True, deleted=True)
    meet(sessions, gone)  # Slack deactivated the last admin: nobody could give roles
    meet(sessions, CONFIGURED)
    assert role_of(sessions, "UCONF") == "admin"
    meet(sessions, gone, SLACK_ADMIN)  # back again: an admin exists, so nothing else changes
    assert (role_of(sessions, "UCONF"), role_of(sessions, "UOWNER")) == ("admin", "admin")
