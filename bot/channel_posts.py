"""Messages aTES posts exactly once each, under a key: the daily analytics post and the payout DMs.

As for task messages (`bot/message_sender.py`), the post's row is written before the Slack call and after it:
`pending` (nothing posted; the post's file may be uploaded already), `posting` (the call is under way, or its
outcome unknown), `posted` (with Slack's channel and ts). A row found still `posting` is settled from Slack's own
record, the key in the message's metadata, never guessed: a post whose answer was lost, or whose process died
before recording it, is never posted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.message_sender import (
    LEASE,
    SlackUnavailable,
    attempt,
    dm_channel,
    is_outage,
    posted_with_key,
    remember_dm_channel,
    without_blind_retries,
)
from bot.message_tables import ChannelPost
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.consumer import NotYet
from domains.kernel.db import dialect_insert, table_of

log = logging.getLogger(__name__)
EVENT_TYPE = "ates_channel_post"


@dataclass(frozen=True)
class OncePost:
    """What to post once: its key, where (a channel id, or a user id for a DM) and what.

    `content` builds the message (text, blocks, …) given the id of the file `upload` uploaded for it (None without
    one); `upload` uploads that file privately (shared with no channel) and answers its id.
    """

    key: str
    channel: str
    content: Callable[[str | None], dict[str, Any]]
    upload: Callable[[], str] | None = None


class PostUnderWay(NotYet):
    """Another member of the group is posting it (a message it held too long was handed over): that member's post
    is settled by it, or by this one once its lease runs out, never posted a second time meanwhile."""


def post_once(client: WebClient, sessions: sessionmaker[Session], post: OncePost, member: str) -> bool:
    """Post it unless it was posted: True when posted now.

    Slack's refusal (it did nothing) is raised with the row back to `pending`, so the next try posts. Slack out of
    reach, a 5xx or a lost answer (an unknown outcome, the row left `posting`, settled on the next try) and its rate
    limit are raised as SlackUnavailable, an outage the consumer waits out."""
    try:
        return _post_once(client, sessions, post, member)
    except (OSError, SlackApiError) as failure:
        if not is_outage(failure):
            raise
        raise SlackUnavailable(str(failure)) from failure


def _post_once(client: WebClient, sessions: sessionmaker[Session], post: OncePost, member: str) -> bool:
    row = _load_or_add(sessions, post)
    if row.state == "posting":
        if row.posted_by not in (None, member) and as_utc(row.started_at) > utcnow() - LEASE:
            raise PostUnderWay(f"{post.key} is being posted by {row.posted_by}")
        row = _settle(client, sessions, row)
    if row.state == "posted":
        return False
    file_id = row.file_id
    if post.upload is not None and file_id is None:
        file_id = post.upload()
        _write(sessions, post.key, file_id=file_id)  # a retry shows this file, without uploading it again
    message = {**post.content(file_id), "metadata": {"event_type": EVENT_TYPE, "event_payload": {"key": post.key}}}
    if not _claim(sessions, post.key, member):
        raise PostUnderWay(f"{post.key} was claimed by another member meanwhile")
    reply = attempt(without_blind_retries(client).chat_postMessage, message, channel=post.channel)
    if isinstance(reply, SlackApiError):
        _write(sessions, post.key, state="pending")  # Slack posted nothing
        raise reply
    _posted(sessions, post.key, post.channel, str(reply["channel"]), str(reply["ts"]))
    log.info("posted %s to %s (%s %s)", post.key, post.channel, reply["channel"], reply["ts"])
    return True


def is_posted(sessions: sessionmaker[Session], key: str) -> bool:
    """Whether the post under this key is known to be posted (one under way is not, until it is settled)."""
    with sessions() as session:
        return session.scalar(select(ChannelPost.state).where(ChannelPost.key == key)) == "posted"


def _settle(client: WebClient, sessions: sessionmaker[Session], row: ChannelPost) -> ChannelPost:
    """Did the post that was under way reach Slack? Its metadata says; else the row goes back to `pending`."""
    channel = row.channel_id
    if _is_user(channel):  # a DM posted to a user id is in the D… channel Slack named, or opens
        channel = dm_channel(client, sessions, channel)
    found = posted_with_key(client, channel, as_utc(row.started_at), EVENT_TYPE, row.key)
    if found is None:
        _write(sessions, row.key, state="pending")
    else:
        _posted(sessions, row.key, row.channel_id, channel, str(found["ts"]))
        log.info("%s was posted already (%s %s)", row.key, channel, found["ts"])
    return _load(sessions, row.key)


def _is_user(channel: str) -> bool:
    return channel.startswith(("U", "W"))


def _load_or_add(sessions: sessionmaker[Session], post: OncePost) -> ChannelPost:
    with sessions() as session:
        new = {"key": post.key, "channel_id": post.channel, "state": "pending", "started_at": utcnow()}
        session.execute(dialect_insert(session, table_of(ChannelPost)).values(**new).on_conflict_do_nothing())
        session.commit()
    return _load(sessions, post.key)


def _load(sessions: sessionmaker[Session], key: str) -> ChannelPost:
    with sessions() as session:
        row = session.get(ChannelPost, key)
        assert row is not None
        return row


def _posted(sessions: sessionmaker[Session], key: str, to: str, channel: str, ts: str) -> None:
    with sessions() as session:
        session.execute(
            update(ChannelPost).where(ChannelPost.key == key).values(state="posted", channel_id=channel, ts=ts)
        )
        if _is_user(to) and channel.startswith("D"):
            remember_dm_channel(session, to, channel)
        session.commit()


def _claim(sessions: sessionmaker[Session], key: str, member: str) -> bool:
    """Mark it `posting` by this member, unless another member did since it was read `pending`."""
    with sessions() as session:
        claimed = session.scalar(
            update(ChannelPost)
            .where(ChannelPost.key == key, ChannelPost.state == "pending")
            .values(state="posting", started_at=utcnow(), posted_by=member)
            .returning(ChannelPost.key)
        )
        session.commit()
        return claimed is not None


def _write(sessions: sessionmaker[Session], key: str, **values: Any) -> None:
    with sessions() as session:
        session.execute(update(ChannelPost).where(ChannelPost.key == key).values(**values))
        session.commit()
