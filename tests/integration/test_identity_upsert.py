"""Meeting the same person from two places at once (the workspace sync and their first request) never fails."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import text

from domains.identity import handlers as identity
from domains.identity.commands import ChangeRole, SyncProfiles
from domains.identity.model import Profile
from domains.kernel.db import make_engine, make_session_factory

ROUNDS = 25


def at_once(*meetings: Callable[[], object]) -> list[BaseException]:
    """Run each callable in its own thread, released together by a barrier; returns what they raised."""
    start = threading.Barrier(len(meetings))
    failures: list[BaseException] = []

    def run(meeting: Callable[[], object]) -> None:
        start.wait()
        try:
            meeting()
        except BaseException as error:  # collected: each test says which it expects
            failures.append(error)

    threads = [threading.Thread(target=run, args=(m,)) for m in meetings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_two_first_meetings_at_once_both_succeed_and_create_the_user_once(pg_url: str) -> None:
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    failures: list[BaseException] = []
    for n in range(ROUNDS):
        person = Profile(f"U{n:03d}", f"Person {n}", is_workspace_admin=n % 2 == 0)
        page = [Profile(f"V{n:03d}", "Someone else"), person]
        of_page, of_person = SyncProfiles(profiles=tuple(page)), SyncProfiles(profiles=(person,))
        failures += at_once(
            lambda: identity.sync_profiles(identity.unit_of_work(sessions), of_page),  # noqa: B023
            lambda: identity.sync_profiles(identity.unit_of_work(sessions), of_person),  # noqa: B023
        )
    try:
        assert failures == []
        with engine.connect() as connection:
            users = connection.execute(text("SELECT count(*) FROM identity_users WHERE slack_id LIKE 'U%'")).scalar()
            created = connection.execute(
                text('SELECT count(*) FROM identity_outbox WHERE body LIKE \'%"event_name":"UserCreated"%\'')
            ).scalar()
            admins = connection.execute(text("SELECT count(*) FROM identity_users WHERE role = 'admin'")).scalar()
        assert (users, created, admins) == (ROUNDS, 2 * ROUNDS, (ROUNDS + 1) // 2)
    finally:
        engine.dispose()


def test_two_admins_demoting_each_other_at_once_leave_one_admin(pg_url: str) -> None:
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    try:
        for n in range(ROUNDS // 5):
            first, second = Profile(f"A{n}", "First", is_workspace_admin=True), Profile(f"B{n}", "Second")
            identity.sync_profiles(
                identity.unit_of_work(sessions),
                SyncProfiles(profiles=(first, second), admin_ids=frozenset({f"B{n}"})),
            )
            demote_a = ChangeRole(user_id=f"A{n}", role="worker", changed_by=f"B{n}")
            demote_b = ChangeRole(user_id=f"B{n}", role="worker", changed_by=f"A{n}")
            failures = at_once(
                lambda: identity.change_role(identity.unit_of_work(sessions), demote_a),  # noqa: B023
                lambda: identity.change_role(identity.unit_of_work(sessions), demote_b),  # noqa: B023
            )
            assert [type(f) for f in failures] == [identity.LastAdmin]  # never a deadlock, never both
            gone = (Profile(f"A{n}", "First", deleted=True), Profile(f"B{n}", "Second", deleted=True))
            identity.sync_profiles(identity.unit_of_work(sessions), SyncProfiles(profiles=gone))  # no admin left
    finally:
        engine.dispose()
