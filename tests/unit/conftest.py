"""Fixtures of the unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Web API with no members, for a Bolt app driven in the test's own process."""
    fake = FakeSlack(members=[])
    fake.start()
    yield fake
    fake.stop()
