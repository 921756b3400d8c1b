"""Meeting the same person from two places at once (the workspace sync and their first request) never fails."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import text

from domains.identity import handlers as identity
from domains.identity.model import Profile
from domains.kernel.db import make_engine, make_session_factory

ROUNDS = 25


def test_two_first_meetings_at_once_both_succeed_and_create_the_user_once(pg_url: str) -> None:
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    failures: list[BaseException] = []

    def at_once(*meetings: Callable[[], object]) -> None:
        start = threading.Barrier(len(meetings))

        def meet(meeting: Callable[[], object]) -> None:
            start.wait()
            try:
                meeting()
            except BaseException as error:  # collected: the test asserts there are none
                failures.append(error)

        threads = [threading.Thread(target=meet, args=(m,)) for m in meetings]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    for n in range(ROUNDS):
        person = Profile(f"U{n:03d}", f"Person {n}", is_workspace_admin=n % 2 == 0)
        page = [Profile(f"V{n:03d}", "Someone else"), person]
        at_once(
            lambda: identity.sync_profiles(identity.unit_of_work(sessions), page, frozenset()),  # noqa: B023
            lambda: identity.sync_profile(identity.unit_of_work(sessions), person, frozenset()),  # noqa: B023
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
