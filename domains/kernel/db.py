"""Database plumbing shared by the domains: engines, the outbox and inbox tables, upserts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Result
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql import ColumnElement

# SQLite wants INTEGER for an auto-incrementing key; PostgreSQL gets a 64-bit one.
BigId = BigInteger().with_variant(Integer(), "sqlite")


# For the gateway, which has 3 seconds to answer Slack: how long it waits to connect (libpq's least), for a pooled
# connection, and for the server to acknowledge what was sent (a server gone silent), in ms.
ANSWERING_CONNECT = {"connect_timeout": 2, "tcp_user_timeout": 1500}
ANSWERING_POOL_TIMEOUT_S = 1.0


def make_engine(url: str, *, answering: bool = False) -> Engine:
    """An engine for PostgreSQL, or for SQLite set up for several threads writing; `answering`: with the bounds
    above, so an unreachable database is known in time to say so."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _use_immediate_transactions(engine)
        return engine
    if answering:
        return create_engine(
            url,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=True,
            pool_timeout=ANSWERING_POOL_TIMEOUT_S,
            connect_args=ANSWERING_CONNECT,
        )
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _use_immediate_transactions(engine: Engine) -> None:
    # SQLite upgrades a read lock to a write lock lazily and fails at once when another
    # writer got there first; taking the write lock at BEGIN makes writers wait instead.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table behind a mapped class, typed as one."""
    return cast(Table, model.__table__)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def outbox_table(prefix: str, metadata: MetaData) -> Table:
    """Events a domain committed with its state, waiting for the relay."""
    return Table(
        f"{prefix}_outbox",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(64), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        # The relay's queue: only unpublished rows, in id order, so its "oldest unpublished" never walks the
        # published ones (with an index on published_at, PostgreSQL scans the key past every published row).
        Index(
            f"ix_{prefix}_outbox_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )


def inbox_table(prefix: str, metadata: MetaData) -> Table:
    """The ids of events a domain has applied, written in the same transaction as the effect."""
    return Table(
        f"{prefix}_inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_name", String(64), nullable=False),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (all with the same keys) in one go: COPY on PostgreSQL, a fraction of INSERT's cost per row."""
    if rows:
        names = list(rows[0])
        copy_rows(session, table, names, [[row[name] for name in names] for row in rows])


def copy_rows(session: Session, table: Table, names: list[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows, each the values of the named columns in order: COPY on PostgreSQL, INSERT elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])
        return
    quote = connection.dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)})"
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_many(session: Session, statement: Any, rows: list[dict[str, Any]]) -> Result[Any]:
    """Run an INSERT (with its ON CONFLICT and RETURNING) for many rows (all with the same keys), inserted in order.

    On PostgreSQL the rows travel as one array per column (INSERT … SELECT unnest(…)): a short statement parsed and
    planned once, where a multi-row VALUES is rendered and parsed again for every batch. Elsewhere: executemany.
    """
    if session.get_bind().dialect.name != "postgresql":
        return session.execute(statement, rows)
    columns = statement.table.c
    arrays = [
        func.unnest(bindparam(f"all_{name}", [row[name] for row in rows], type_=ARRAY(columns[name].type)))
        for name in rows[0]
    ]
    return session.execute(statement.from_select(list(rows[0]), select(*arrays)))


def among(where: Session | Connection, column: ColumnElement[Any], values: list[Any]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `= ANY(array)`, one statement for any number of values."""
    dialect = where.dialect if isinstance(where, Connection) else where.get_bind().dialect
    if dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(bindparam(None, values, type_=ARRAY(column.type)))


def upsert(session: Session, table: Table, index: list[str], update: list[str]) -> Any:
    """INSERT … ON CONFLICT DO UPDATE SET the named columns from the new row."""
    statement = dialect_insert(session, table)
    return statement.on_conflict_do_update(
        index_elements=index, set_={name: statement.excluded[name] for name in update}
    )


def dialect_insert(session: Session, table: Table) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    return insert(table)
