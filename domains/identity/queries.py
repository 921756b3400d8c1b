"""Identity's read models."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domains.identity.handlers import user_view
from domains.identity.model import UserView
from domains.identity.tables import User


def get_user(sessions: sessionmaker[Session], slack_id: str) -> UserView | None:
    with sessions() as session:
        user = session.get(User, slack_id)
        return user_view(user) if user else None


def list_users(sessions: sessionmaker[Session]) -> list[UserView]:
    with sessions() as session:
        return [user_view(u) for u in session.scalars(select(User).order_by(User.name))]
