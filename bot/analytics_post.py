"""The daily analytics post: the day's numbers and a chart of the last 30 days, in the analytics channel."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.analytics_view import analytics_summary, analytics_view
from bot.chart import earnings_chart
from domains.analytics.model import CHART_DAYS, chart_days, day_of
from domains.analytics.queries import earnings_by_day, report

log = logging.getLogger(__name__)


def post_daily_analytics(client: WebClient, sessions: sessionmaker[Session], channel: str | None, cycle: date) -> bool:
    """Post `cycle`'s numbers and upload the earnings chart; False (nothing posted) when no channel is set."""
    if not channel:
        return False
    numbers = report(sessions, day_of(cycle))
    client.chat_postMessage(
        channel=channel, text=analytics_summary(numbers), blocks=analytics_view(numbers), unfurl_links=False
    )
    chart = earnings_chart(earnings_by_day(sessions, chart_days(cycle)))
    client.files_upload_v2(
        channel=channel,
        content=chart,
        filename=f"earnings-{cycle.isoformat()}.png",
        title=f"Management's earnings per day, the {CHART_DAYS} days to {cycle.isoformat()}",
        alt_txt=f"A bar chart of management's earnings for each of the {CHART_DAYS} days to {cycle.isoformat()}",
    )
    log.info("posted the analytics for %s to %s", cycle, channel)
    return True


@dataclass
class DailyPosts:
    """Posts each newly closed day's analytics once; a post that fails is tried again after the next close."""

    client: WebClient
    sessions: sessionmaker[Session]
    channel: str | None
    pending: list[date] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def after_close(self, closed_cycles: list[date]) -> None:
        if not self.channel:
            return
        with self._lock:
            self.pending += closed_cycles
            while self.pending:
                post_daily_analytics(self.client, self.sessions, self.channel, self.pending[0])
                self.pending.pop(0)
