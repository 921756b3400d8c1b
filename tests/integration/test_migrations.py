"""The migrations create exactly the tables the models describe, on PostgreSQL and on SQLite, and move what they
move."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, text

from alembic import command
from jobs.migrations import METADATA, alembic_config, upgrade


def every_table() -> MetaData:
    combined = MetaData()
    for metadata in METADATA:
        for table in metadata.tables.values():
            table.to_metadata(combined)
    return combined


def differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), every_table()))
    finally:
        engine.dispose()


def test_postgres_migrated_matches_the_models(pg_url: str) -> None:
    assert differences(pg_url) == []


def test_the_embedded_sqlite_file_migrates_to_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ates.sqlite3'}"
    upgrade(url)
    upgrade(url)
    assert differences(url) == []


@pytest.mark.parametrize("database", ["postgres", "sqlite"])
def test_the_days_posted_move_into_the_bots_record_of_posts_and_back(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue("pg_url") if database == "postgres" else f"sqlite:///{tmp_path / 'ates.sqlite3'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "0009")
    at = datetime(2026, 11, 21, 0, 1, tzinfo=UTC)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO analytics_posted_days (billing_cycle, posted_at) VALUES (:day, :at)"),
                {"day": date(2026, 11, 20), "at": at},
            )
        upgrade(url)
        with engine.connect() as connection:
            moved = connection.execute(text("SELECT key, state FROM bot_channel_posts")).all()
        assert [tuple(row) for row in moved] == [("analytics-day:2026-11-20", "posted")]
        assert "analytics_posted_days" not in inspect(engine).get_table_names()

        command.downgrade(alembic_config(url), "0009")
        with engine.connect() as connection:
            back = connection.execute(text("SELECT billing_cycle FROM analytics_posted_days")).scalars().all()
        assert [str(day) for day in back] == ["2026-11-20"]
    finally:
        engine.dispose()
