"""The in-process Slack app on a fresh PostgreSQL database, against a fake Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack_app import MEMBERS, SlackApp, serve


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(members=list(MEMBERS))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def app(slack: FakeSlack, pg_url: str) -> Iterator[SlackApp]:
    with serve(slack, pg_url) as running:
        yield running
