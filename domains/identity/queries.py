"""Identity's read models."""

from __future__ import annotations

from sqlalchemy import func, or_, select
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


def users_named(sessions: sessionmaker[Session], name: str) -> list[UserView]:
    """The active users called `name`, ignoring case: how `@sky` typed as plain text finds Sky.

    Slack sends an unescaped mention as the member's handle, often their e-mail's local part; both count.
    """
    name = name.lower()
    called = or_(func.lower(User.name) == name, func.lower(User.email).startswith(f"{name}@", autoescape=True))
    with sessions() as session:
        query = select(User).where(called, User.is_active.is_(True))
        return [user_view(u) for u in session.scalars(query.order_by(User.slack_id))]
