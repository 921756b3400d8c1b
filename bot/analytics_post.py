"""The daily analytics post: a closed day's numbers and a chart of the 30 days to it, in the analytics channel.

`DailyPoster` is a consumer group of its own: each BillingCycleClosed is posted once, whoever closed the day,
after analytics has applied every money event of that day.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.analytics_view import analytics_summary, analytics_view
from bot.chart import earnings_chart
from domains.analytics.handlers import record_posted
from domains.analytics.model import CHART_DAYS, chart_days, day_of
from domains.analytics.queries import earnings_by_day, has_applied, report, was_posted
from domains.kernel.clock import format_cents, utcnow
from domains.kernel.consumer import NotYet, OneByOne
from domains.kernel.contracts import BILLING_CYCLES, BillingCycleClosed
from domains.kernel.events import Event, Payload

log = logging.getLogger(__name__)
GROUP = "analytics-post"


class AnalyticsBehind(NotYet):
    """Analytics has not yet applied every money event of the closed day: the post waits, however long it takes."""


def post_daily_analytics(client: WebClient, sessions: sessionmaker[Session], channel: str | None, cycle: date) -> bool:
    """Post `cycle`'s numbers and upload the earnings chart; False (nothing posted) when no channel is set."""
    if not channel:
        return False
    numbers = report(sessions, day_of(cycle), cycle + timedelta(days=1))  # the day as of its close
    client.chat_postMessage(
        channel=channel, text=analytics_summary(numbers), blocks=analytics_view(numbers), unfurl_links=False
    )
    daily = earnings_by_day(sessions, chart_days(cycle))
    client.files_upload_v2(
        channel=channel,
        content=earnings_chart(daily, cycle),
        filename=f"earnings-{cycle.isoformat()}.png",
        title=f"Management's earnings per day, the {CHART_DAYS} days to {cycle.isoformat()}",
        alt_txt=f"A bar chart of management's earnings for each of the {CHART_DAYS} days to {cycle.isoformat()}",
        initial_comment=chart_text(daily),
    )
    log.info("posted the analytics for %s to %s", cycle, channel)
    return True


def chart_text(daily: list[tuple[date, int]]) -> str:
    """The chart's numbers as text, for screen readers and anyone who cannot see the image."""
    days = "; ".join(f"{day:%d %b}: {format_cents(cents)}" for day, cents in daily)
    return f"Management's earnings per day, oldest first: {days}."


@dataclass
class DailyPoster(OneByOne):
    """Posts each closed day once; recorded in the database only once Slack has taken the post (no transaction is
    held open while Slack is called: on SQLite it would lock every other writer out, the post's own reads included).

    Until analytics has caught up with the day it waits up to `wait_s`, then raises NotYet: the consumer retries
    the event as long as it takes, without counting it as a failure.
    """

    client: WebClient
    sessions: sessionmaker[Session]
    channel: str | None
    wait_s: float = 5.0  # then the consumer pauses and tries again: a stop is never held up for long
    group: str = GROUP
    topics: tuple[str, ...] = field(default=(BILLING_CYCLES,))
    handles: frozenset[type[Payload]] = frozenset({BillingCycleClosed})
    ignores: frozenset[type[Payload]] = frozenset()

    def apply(self, event: Event) -> bool:
        closed = event.payload()
        if not isinstance(closed, BillingCycleClosed) or not self.channel:
            return False
        if was_posted(self.sessions, closed.billing_cycle):
            return False
        self._wait_for_analytics(closed)
        post_daily_analytics(self.client, self.sessions, self.channel, closed.billing_cycle)
        record_posted(self.sessions, closed.billing_cycle, utcnow())
        return True

    def _wait_for_analytics(self, closed: BillingCycleClosed) -> None:
        deadline = time.monotonic() + self.wait_s
        while not has_applied(self.sessions, closed):
            if time.monotonic() >= deadline:
                raise AnalyticsBehind(f"analytics has not applied every money event of {closed.billing_cycle} yet")
            time.sleep(min(0.5, self.wait_s))
