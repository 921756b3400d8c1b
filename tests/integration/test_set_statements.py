"""The kernel's set statements do the same on PostgreSQL (COPY, unnest, = ANY) and on SQLite (executemany, IN)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Column, MetaData, String, Table, select
from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.db import among, dialect_insert, insert_many, insert_rows, make_engine, make_session_factory

metadata = MetaData()
counters = Table(
    "kernel_test_counters",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("total", BigInteger, nullable=False),
)


@pytest.fixture(params=["postgresql", "sqlite"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else f"sqlite:///{tmp_path / 'k.db'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    yield make_session_factory(engine)
    engine.dispose()


def test_rows_go_in_together_and_are_found_among_many(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        insert_rows(session, counters, [{"name": f"c{n}", "total": n} for n in range(300)])
        insert_rows(session, counters, [])
        session.commit()
        found = session.scalars(select(counters.c.total).where(among(session, counters.c.name, ["c7", "c250", "x"])))
        assert sorted(found) == [7, 250]


def test_an_upsert_of_many_rows_returns_what_it_did(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        insert_rows(session, counters, [{"name": "b", "total": 10}])
        statement = dialect_insert(session, counters)
        statement = statement.on_conflict_do_update(
            index_elements=["name"], set_={"total": counters.c.total + statement.excluded.total}
        ).returning(counters.c.name, counters.c.total)
        rows = [{"name": name, "total": 1} for name in ["a", "b", "c"]]
        assert {row.name: row.total for row in insert_many(session, statement, rows)} == {"a": 1, "b": 11, "c": 1}

        only_new = dialect_insert(session, counters).on_conflict_do_nothing(index_elements=["name"])
        inserted = insert_many(session, only_new.returning(counters.c.name), [{"name": n, "total": 0} for n in "cde"])
        assert sorted(inserted.scalars()) == ["d", "e"]
