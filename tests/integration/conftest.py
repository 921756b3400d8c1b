"""Fixtures of the integration tests: the in-process Slack app, and a PostgreSQL + Redis runtime."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domains.kernel.settings import Settings
from jobs.runtime import Runtime
from tests.fakes.slack_api import FakeSlack
from tests.integration.slack_app import MEMBERS, SlackApp, serve


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(members=list(MEMBERS))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def app(slack: FakeSlack, pg_url: str) -> Iterator[SlackApp]:
    with serve(slack, pg_url) as running:
        yield running


@pytest.fixture
def runtime(pg_url: str, redis_url: str, stream_prefix: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """The runtime, with the same settings in the environment for `ates` commands run in the test."""
    env = {
        "DATABASE_URL": pg_url,
        "REDIS_URL": redis_url,
        "ATES_STREAM_PREFIX": stream_prefix,
        "ATES_MAX_ATTEMPTS": "3",
        "ATES_RETRY_BACKOFF_MS": "10",
        "ATES_RECLAIM_IDLE_MS": "200",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    built = Runtime.build(Settings())
    yield built
    built.close()
