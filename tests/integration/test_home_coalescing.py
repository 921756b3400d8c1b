"""App Home publishes on the services runtime: coalesced per user in Redis, and what a stopped `home` group
left queued is published when it starts again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from bot.home import HomeRefresher
from bot.home_queue import RedisHomeQueue
from bot.slack_client import make_client
from domains.kernel.contracts import UserPaid
from domains.kernel.events import make_event
from jobs.runtime import Runtime
from tests.fakes.slack_api import FakeSlack, wait_for_calls


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack()
    slack.start()
    yield slack
    slack.stop()


def _workers(runtime: Runtime, *user_ids: str) -> None:
    with runtime.sessions() as session:
        for user_id in user_ids:
            session.execute(
                text(
                    "INSERT INTO identity_users (slack_id, name, role, is_active, updated_at) "
                    "VALUES (:id, :id, 'worker', true, :now)"
                ),
                {"id": user_id, "now": datetime.now(UTC)},
            )
        session.commit()


def _refresher(runtime: Runtime, fake: FakeSlack) -> HomeRefresher:
    client = make_client(runtime.settings.model_copy(update={"slack_api_url": fake.api_url}))
    return HomeRefresher(client, runtime.sessions, runtime.settings, runtime.home_queue())


def test_a_burst_of_changes_publishes_each_home_once(runtime: Runtime, fake: FakeSlack) -> None:
    _workers(runtime, "U1", "U2")
    refresher = _refresher(runtime, fake)
    for _ in range(20):
        for user_id in ("U1", "U2"):
            refresher.apply(
                make_event(
                    "accounting",
                    UserPaid(user_id=user_id, amount_cents=1, earned_cents=1, billing_cycle=date(2026, 11, 2)),
                )
            )
    published = wait_for_calls(fake.calls_to, "views.publish", 2, 10, lambda c: True)
    time.sleep(1)
    assert (
        sorted(c.args["user_id"] for c in fake.calls_to("views.publish"))
        == ["U1", "U2"]
        == sorted(c.args["user_id"] for c in published)
    )


def test_what_a_stopped_group_left_queued_is_published_when_it_starts_again(runtime: Runtime, fake: FakeSlack) -> None:
    _workers(runtime, "U1")
    assert isinstance(runtime.home_queue(), RedisHomeQueue)
    runtime.home_queue().mark(["U1"])  # the event was acknowledged, then the group stopped
    assert fake.calls_to("views.publish") == []
    _refresher(runtime, fake).resume()
    assert [c.args["user_id"] for c in fake.wait_for("views.publish")] == ["U1"]
