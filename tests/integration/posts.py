"""What the tests of messages posted once share."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker


def lease_runs_out(sessions: sessionmaker[Session]) -> None:
    """The member whose post is under way has been silent past its lease (bot/channel_posts.py): it is gone."""
    with sessions() as session:
        session.execute(text("UPDATE bot_channel_posts SET started_at = started_at - interval '3 minutes'"))
        session.commit()
