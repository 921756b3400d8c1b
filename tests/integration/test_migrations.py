"""The migrations create exactly the tables the models describe, on PostgreSQL and on SQLite."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine

from jobs.migrations import METADATA, upgrade


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
