"""Alembic, driven from code: `alembic upgrade head` for PostgreSQL, automatic for the embedded SQLite."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy import MetaData

from alembic import command
from bot.message_tables import metadata as bot_messages
from domains.accounting.tables import metadata as accounting
from domains.analytics.tables import metadata as analytics
from domains.identity.tables import metadata as identity
from domains.tasks.tables import metadata as tasks

ROOT = Path(__file__).resolve().parent.parent
METADATA: list[MetaData] = [identity, tasks, accounting, analytics, bot_messages]


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["skip_logging"] = True  # the running process keeps its own logging set-up
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")
