"""An in-memory database for a domain's unit of work: its handler rules tested fast, with no services.

PostgreSQL stays for the integration tests; this is SQLite in memory, the embedded runtime's dialect, with the
domain's own tables and nothing else (one connection shared by every session, so they all see the same data).
"""

from __future__ import annotations

from sqlalchemy import MetaData, create_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from domains.kernel.db import make_session_factory


def in_memory_sessions(*metadata: MetaData) -> sessionmaker[Session]:
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    for tables in metadata:
        tables.create_all(engine)
    return make_session_factory(engine)
