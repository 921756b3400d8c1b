"""The daily analytics post: one message in the analytics channel, a closed day's numbers and under them a chart
of the 30 days to it (uploaded privately first, shown by an image block).

`DailyPoster` is a consumer group of its own: each BillingCycleClosed is posted once, whoever closed the day,
after analytics has applied every money event of that day. The record that it was posted is the bot's
(`bot/channel_posts.py`), so a replay of analytics never posts a day again.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import ImageBlock
from sqlalchemy.orm import Session, sessionmaker

from bot.analytics_view import analytics_summary, analytics_view
from bot.channel_posts import OncePost, is_posted, post_once
from bot.chart import earnings_chart
from domains.analytics.model import CHART_DAYS, chart_days, day_of
from domains.analytics.queries import earnings_by_day, has_applied, report
from domains.kernel.clock import format_cents
from domains.kernel.consumer import NotYet, OneByOne
from domains.kernel.contracts import BILLING_CYCLES, BillingCycleClosed
from domains.kernel.events import Event, Payload

log = logging.getLogger(__name__)
GROUP = "analytics-post"
PROCESSING_WAIT_S = 5.0  # for Slack to process the chart; then the consumer pauses and tries again


class AnalyticsBehind(NotYet):
    """Analytics has not yet applied every money event of the closed day: the post waits, however long it takes."""


class ChartProcessing(NotYet):
    """Slack is still processing the uploaded chart, and an image block shows only a processed file: the post waits
    (the file stays uploaded, recorded for the next try)."""


def post_daily_analytics(client: WebClient, sessions: sessionmaker[Session], channel: str | None, cycle: date) -> bool:
    """Post `cycle`'s numbers and chart now, by hand (an operator asked: posted whether or not it was before);
    False (nothing posted) when no channel is set."""
    if not channel:
        return False
    daily = earnings_by_day(sessions, chart_days(cycle))
    file_id = ready_to_show(client, upload_chart(client, daily, cycle))
    client.chat_postMessage(channel=channel, **daily_message(sessions, cycle, daily, file_id))
    log.info("posted the analytics for %s to %s by hand", cycle, channel)
    return True


def daily_post(
    client: WebClient, sessions: sessionmaker[Session], channel: str, cycle: date, wait_s: float = PROCESSING_WAIT_S
) -> OncePost:
    """The day's post, once: its key, and the chart uploaded privately before the message that shows it."""
    daily = earnings_by_day(sessions, chart_days(cycle))

    def content(file_id: str | None) -> dict[str, Any]:
        assert file_id is not None  # the chart is uploaded first
        return daily_message(sessions, cycle, daily, ready_to_show(client, file_id, wait_s))

    return OncePost(
        key=day_key(cycle),
        channel=channel,
        content=content,
        upload=lambda: upload_chart(client, daily, cycle),
    )


def day_key(cycle: date) -> str:
    return f"analytics-day:{cycle.isoformat()}"


def upload_chart(client: WebClient, daily: list[tuple[date, int]], cycle: date) -> str:
    """Upload the chart of the 30 days to `cycle`, shared with no channel (a message shows it); its file id."""
    uploaded = client.files_upload_v2(
        content=earnings_chart(daily, cycle),
        filename=f"earnings-{cycle.isoformat()}.png",
        title=chart_title(cycle),
        alt_txt=f"A bar chart of management's earnings for each of the {CHART_DAYS} days to {cycle.isoformat()}",
    )
    return str(uploaded["file"]["id"])


def ready_to_show(client: WebClient, file_id: str, wait_s: float = PROCESSING_WAIT_S) -> str:
    """The file id, once Slack has processed the upload (files.info names its type); an image block naming it
    sooner is refused as invalid."""
    deadline = time.monotonic() + wait_s
    while not client.files_info(file=file_id)["file"].get("mimetype"):
        if time.monotonic() >= deadline:
            raise ChartProcessing(f"Slack is still processing the chart {file_id}")
        time.sleep(0.2)
    return file_id


def daily_message(
    sessions: sessionmaker[Session], cycle: date, daily: list[tuple[date, int]], file_id: str
) -> dict[str, Any]:
    """One message: the day's numbers as of its close, then the chart; its text says both (notifications, screen
    readers), and so does the image's alt text."""
    numbers = report(sessions, day_of(cycle), cycle + timedelta(days=1))
    charted = chart_text(daily)
    # 30 days of at most 40 characters each: within Slack's 2000 for alt text (tests/unit/test_chart.py).
    image = ImageBlock(slack_file={"id": file_id}, alt_text=charted, title=chart_title(cycle))
    blocks = [*analytics_view(numbers), image.to_dict()]
    return {"text": f"{analytics_summary(numbers)}\n{charted}", "blocks": blocks, "unfurl_links": False}


def chart_title(cycle: date) -> str:
    return f"Management's earnings per day, the {CHART_DAYS} days to {cycle.isoformat()}"


def chart_text(daily: list[tuple[date, int]]) -> str:
    """The chart's numbers as text, for screen readers and anyone who cannot see the image."""
    days = "; ".join(f"{day:%d %b}: {format_cents(cents)}" for day, cents in daily)
    return f"Management's earnings per day, oldest first: {days}."


@dataclass
class DailyPoster(OneByOne):
    """Posts each closed day once (`post_once`: recorded before and after Slack is called, never in one transaction
    held open over the call: on SQLite it would lock every other writer out, the post's own reads included).

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
    member: str = field(default_factory=lambda: uuid.uuid4().hex)  # this process, in the group

    def apply(self, event: Event) -> bool:
        closed = event.payload()
        if not isinstance(closed, BillingCycleClosed) or not self.channel:
            return False
        if is_posted(self.sessions, day_key(closed.billing_cycle)):
            return False
        self._wait_for_analytics(closed)  # then the day's numbers are read, complete
        post = daily_post(self.client, self.sessions, self.channel, closed.billing_cycle, self.wait_s)
        return post_once(self.client, self.sessions, post, self.member)

    def _wait_for_analytics(self, closed: BillingCycleClosed) -> None:
        deadline = time.monotonic() + self.wait_s
        while not has_applied(self.sessions, closed):
            if time.monotonic() >= deadline:
                raise AnalyticsBehind(f"analytics has not applied every money event of {closed.billing_cycle} yet")
            time.sleep(min(0.5, self.wait_s))
