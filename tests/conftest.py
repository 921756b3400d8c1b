"""Shared fixtures: a fresh migrated PostgreSQL database and a private Redis namespace per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis

from jobs.migrations import upgrade

PG_ADMIN_URL = os.environ.get("ATES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE_URL = os.environ.get("ATES_TEST_REDIS", "redis://127.0.0.1:6379")
REDIS_TEST_DB = 9


def _pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A database migrated with alembic once per run: each test's database is a copy of it (a copy takes a tenth
    of the time a migration does)."""
    name = f"ates_template_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        upgrade(_pg_url(name).replace("postgresql://", "postgresql+psycopg://", 1))
        yield name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    """A new PostgreSQL database, migrated (a copy of the run's migrated template), dropped afterwards."""
    name = f"ates_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    try:
        yield _pg_url(name).replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    return f"{REDIS_BASE_URL}/{REDIS_TEST_DB}"


@pytest.fixture
def stream_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own in the test Redis database; its keys are deleted afterwards."""
    prefix = f"ates-test-{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
