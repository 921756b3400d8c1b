"""Identity's own tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domains.kernel.db import inbox_table, outbox_table

metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


class User(Base):
    __tablename__ = "identity_users"

    slack_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    avatar_url: Mapped[str | None] = mapped_column(String(1000))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


outbox = outbox_table("identity", metadata)
inbox = inbox_table("identity", metadata)
