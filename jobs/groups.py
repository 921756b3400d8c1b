"""Every consumer group, declared once: the runtime, `python -m jobs.consumers`, `ates replay`, the Procfile's
check and the end-to-end harness all read this list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot import analytics_post, home, notifier, payout_notifier, requests
from domains.accounting import consumers as accounting
from domains.analytics import consumers as analytics
from domains.analytics import handlers as analytics_handlers
from domains.kernel.consumer import Applier
from domains.tasks import consumers as tasks

if TYPE_CHECKING:
    from jobs.runtime import Runtime


@dataclass(frozen=True)
class Group:
    """A consumer group: its name, the topics it reads, and how a runtime builds it (bot groups call Slack)."""

    name: str
    topics: tuple[str, ...]
    build: Callable[[Runtime, WebClient], Applier]
    # How to empty the group's own tables, for a group built from events alone: `ates replay` can rebuild it.
    reset: Callable[[sessionmaker[Session]], None] | None = None


GROUPS: tuple[Group, ...] = (
    Group(
        requests.GROUP,
        requests.RequestRunner.topics,
        lambda runtime, slack: requests.RequestRunner(slack, runtime.services()),
    ),
    Group(tasks.GROUP, tasks.TOPICS, lambda runtime, _: tasks.subscription(runtime.sessions)),
    Group(
        accounting.GROUP,
        accounting.TOPICS,
        lambda runtime, _: accounting.subscription(
            runtime.sessions, runtime.prices, runtime.settings.timezone, runtime.clock
        ),
    ),
    Group(
        analytics.GROUP,
        analytics.TOPICS,
        lambda runtime, _: analytics.subscription(runtime.sessions, runtime.settings.timezone),
        reset=analytics_handlers.reset,
    ),
    Group(notifier.GROUP, notifier.Notifier.topics, lambda runtime, slack: notifier.Notifier(slack, runtime.sessions)),
    Group(
        home.GROUP,
        home.HomeRefresher.topics,
        lambda runtime, slack: home.HomeRefresher(slack, runtime.sessions, runtime.settings, runtime.home_queue()),
    ),
    Group(
        payout_notifier.GROUP,
        payout_notifier.PayoutNotifier.topics,
        lambda runtime, slack: payout_notifier.PayoutNotifier(slack, runtime.sessions),
    ),
    Group(
        analytics_post.GROUP,
        analytics_post.DailyPoster.topics,
        lambda runtime, slack: analytics_post.DailyPoster(
            slack, runtime.sessions, runtime.settings.ates_analytics_channel
        ),
    ),
)
NAMES = tuple(group.name for group in GROUPS)
# The groups `ates replay` can rebuild, and how each empties its tables first.
RESETS = {group.name: group.reset for group in GROUPS if group.reset is not None}


def group_named(name: str) -> Group:
    for group in GROUPS:
        if group.name == name:
            return group
    raise ValueError(f"unknown consumer group {name!r}; known: {', '.join(NAMES)}")
