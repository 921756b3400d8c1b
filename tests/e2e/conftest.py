"""The end-to-end tests' Slack: a fake Web API with an admin and two workers (a test may define its own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.slack_api import FakeSlack, member


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(members=[member("UADMIN", "Ada"), member("U1", "Alice"), member("U2", "Bob")])
    fake.start()
    yield fake
    fake.stop()
