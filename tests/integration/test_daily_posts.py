"""The analytics post follows each closed day once; a post that fails is sent after the next close."""

from __future__ import annotations

import json
from datetime import date

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.analytics_post import DailyPosts
from bot.slack_client import make_client
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.settings import Settings
from tests.fakes.slack_api import FakeSlack

DAY, NEXT_DAY = date(2026, 11, 23), date(2026, 11, 24)


def posts(slack: FakeSlack, sessions: sessionmaker[Session], channel: str | None) -> DailyPosts:
    return DailyPosts(make_client(Settings(slack_api_url=slack.api_url)), sessions, channel)


def test_each_closed_day_is_posted_once_and_a_failed_post_is_retried(slack: FakeSlack, pg_url: str) -> None:
    engine = make_engine(pg_url)
    daily = posts(slack, make_session_factory(engine), "CANALYTICS")
    slack.fail_next["chat.postMessage"] = "channel_not_found"
    with pytest.raises(SlackApiError, match="channel_not_found"):
        daily.after_close([DAY])
    assert daily.pending == [DAY]

    daily.after_close([NEXT_DAY])
    daily.after_close([])
    engine.dispose()
    charts = [json.loads(call.args["files"])[0]["title"] for call in slack.calls_to("files.completeUploadExternal")]
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert [DAY.isoformat() in charts[0], NEXT_DAY.isoformat() in charts[1]] == [True, True]
    assert daily.pending == []


def test_no_channel_means_no_post(slack: FakeSlack, pg_url: str) -> None:
    engine = make_engine(pg_url)
    posts(slack, make_session_factory(engine), None).after_close([DAY])
    engine.dispose()
    assert slack.calls_to("chat.postMessage") == []
