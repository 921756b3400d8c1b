"""Block Kit for the admins' analytics: `/analytics` and the daily post show the same view."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.blocks import Part, render, rich, styled, task_parts
from domains.analytics.model import Span
from domains.analytics.queries import ExpensiveTask, Report
from domains.kernel.clock import format_cents

_SPAN_NAME = {"day": "Day", "week": "Week", "month": "Month"}


def analytics_summary(report: Report) -> str:
    """The plain-text line of the view (notifications, and clients that show no blocks)."""
    return (
        f"Analytics for {report.span.label}: management earned {format_cents(report.earnings_cents)}; "
        f"{report.workers_in_negative} worker(s) in the negative."
    )


def analytics_view(report: Report) -> list[dict[str, Any]]:
    """Earnings, workers in the negative and the most expensive task of the span (and of its week and month)."""
    blocks: list[Block] = [
        HeaderBlock(text=f"Analytics: {report.span.label}"[:150]),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Management's earnings*\n{format_cents(report.earnings_cents)}"),
                MarkdownTextObject(text=f"*Workers in the negative now*\n{report.workers_in_negative}"),
            ]
        ),
    ]
    if report.span.kind != "day":
        days = "\n".join(f"`{day:%a %d %b}` {format_cents(cents)}" for day, cents in report.daily_earnings)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Earnings per day*\n{days}")))
    blocks.append(DividerBlock())
    lines = [part for span, task in report.most_expensive for part in _most_expensive_line(span, task)]
    blocks.append(rich(styled("Most expensive task", bold=True), *lines))
    note = "Earnings are fees charged minus rewards paid, by billing cycle (a day in the company's time zone)."
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return render(blocks)


def _most_expensive_line(span: Span, task: ExpensiveTask | None) -> list[Part]:
    """One line: the span, then the task's name as typed (user text is never read as mrkdwn)."""
    name = f"{_SPAN_NAME[span.kind]} ({span.label})" if span.kind != "week" else span.label.capitalize()
    if task is None:
        return [styled(f"\n• {name}: no task completed")]
    deleted = [styled(" (deleted)", italic=True)] if task.deleted else []
    reward = styled(f", reward {format_cents(task.reward_cents)}")
    return [styled(f"\n• {name}: "), *task_parts(task.title, task.jira_id), *deleted, reward]
