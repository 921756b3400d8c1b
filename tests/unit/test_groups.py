"""The consumer groups, declared once in jobs/groups.py: every runner builds them from there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from domains.kernel.settings import Settings
from jobs.cli import build_parser
from jobs.groups import GROUPS, NAMES, RESETS
from jobs.runtime import Runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    runtime = Runtime.build(Settings(ates_data_dir=tmp_path))
    yield runtime
    runtime.close()


def test_each_group_is_built_under_its_declared_name_on_its_declared_topics(runtime: Runtime) -> None:
    slack = WebClient(base_url="http://127.0.0.1:9/")  # built, never called
    for group in GROUPS:
        applier = runtime.applier(group.name, slack)
        assert (applier.group, tuple(applier.topics)) == (group.name, group.topics)
    assert len(set(NAMES)) == len(NAMES)
    with pytest.raises(ValueError, match="unknown consumer group 'payout'"):
        runtime.applier("payout", slack)


def test_every_group_exists_on_its_topics_before_it_first_runs(runtime: Runtime) -> None:
    runtime.ensure_groups()  # the relay's first step: trimming then keeps what a group not yet started needs
    on_streams = {(stream.topic, g.name) for stream in runtime.bus.status() for g in stream.groups}
    assert on_streams == {(topic, group.name) for group in GROUPS for topic in group.topics}


def test_ates_replay_offers_the_groups_built_from_events_alone() -> None:
    assert list(RESETS) == ["analytics"]
    assert build_parser().parse_args(["replay", "analytics"]).group == "analytics"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["replay", "accounting"])  # its tables hold money, not a projection
