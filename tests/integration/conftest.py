"""A PostgreSQL + Redis runtime per test, on the test's own database and stream prefix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domains.kernel.settings import Settings
from jobs.runtime import Runtime


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
