"""Block Kit for the admins' analytics: `/analytics` and the daily post show the same view, a page of days at a time."""

from __future__ import annotations

import math
from datetime import date
from typing import Any, cast, get_args

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    RichTextBlock,
    SectionBlock,
)

from bot.blocks import Part, render, rich, styled, task_label, task_parts
from domains.analytics.model import Span, SpanKind
from domains.analytics.queries import DayFigures, ExpensiveTask, Report
from domains.kernel.clock import counted, format_cents

PAGE_ACTION = "analytics_page"
DAYS_PER_PAGE = 31  # a month on one page: a section per day stays well under Slack's 50 blocks
NOTE = (
    "Earnings are fees charged minus rewards paid, by billing cycle (a day in the company's time zone). "
    "Workers in the negative are counted at each day's end (now, for today)."
)


def analytics_summary(report: Report) -> str:
    """The plain-text line of the view (notifications, screen readers, clients that show no blocks)."""
    last = report.days[-1] if report.days else None
    negative = ""
    if last:
        negative = f"; {counted(last.workers_in_negative, 'worker')} in the negative at the end of {last.day}"
    return (
        f"Analytics for {report.span.label}: management earned {format_cents(report.earnings_cents)}{negative}; "
        f"most expensive task: {_task_text(report.most_expensive)}."
    )


def pages_of(report: Report) -> int:
    return max(1, math.ceil(len(report.days) / DAYS_PER_PAGE))


def analytics_view(report: Report, page: int = 1) -> list[dict[str, Any]]:
    """The span's earnings and most expensive task, then one page of its days, each as of its end."""
    pages = pages_of(report)
    page = min(max(page, 1), pages)
    shown = report.days[(page - 1) * DAYS_PER_PAGE : page * DAYS_PER_PAGE]
    blocks: list[Block] = [
        HeaderBlock(text=f"Analytics: {report.span.label}"[:150]),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Management's earnings*\n{format_cents(report.earnings_cents)}"),
            ]
        ),
        rich(styled("Most expensive task\n", bold=True), *_task_parts(report.most_expensive)),
        DividerBlock(),
        *(_day_line(day) for day in shown),
        ContextBlock(elements=[MarkdownTextObject(text=NOTE)]),
    ]
    if pages > 1:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Page {page} of {pages}")]))
        blocks.append(_page_buttons(report.span, page, pages))
    return render(blocks)


def page_value(span: Span, page: int) -> str:
    return f"{span.kind} {span.first.isoformat()} {span.last.isoformat()} {page}"


def read_page_value(value: str) -> tuple[Span, int]:
    """A page button's span and page; ValueError when the value is not one this view wrote."""
    kind, first, last, page = value.split()
    if kind not in get_args(SpanKind):
        raise ValueError(f"not a span: {kind!r}")
    return Span(cast(SpanKind, kind), date.fromisoformat(first), date.fromisoformat(last)), int(page)


def _day_line(day: DayFigures) -> RichTextBlock:
    """One day as of its end; the task's name as typed (rich text: never read as mrkdwn)."""
    figures = f" · {counted(day.workers_in_negative, 'worker')} in the negative · most expensive task: "
    earned = [
        styled(f"{day.day:%a %d %b %Y}", bold=True),
        styled(": earned "),
        styled(format_cents(day.earnings_cents), bold=True),
    ]
    return rich(*earned, styled(figures), *_task_parts(day.most_expensive))


def _task_parts(task: ExpensiveTask | None) -> list[Part]:
    if task is None:
        return [styled("none completed")]
    deleted = [styled(" (deleted)")] if task.deleted else []
    return [*task_parts(task.title, task.jira_id), *deleted, styled(f", reward {format_cents(task.reward_cents)}")]


def _task_text(task: ExpensiveTask | None) -> str:
    """The task for the notification text: escaped, never formatted by us."""
    if task is None:
        return "none completed"
    deleted = " (deleted)" if task.deleted else ""
    return f"{task_label(task.title, task.jira_id)}{deleted}, reward {format_cents(task.reward_cents)}"


def _page_buttons(span: Span, page: int, pages: int) -> ActionsBlock:
    buttons = []
    if page > 1:
        buttons.append(
            ButtonElement(text="Previous", action_id=f"{PAGE_ACTION}_prev", value=page_value(span, page - 1))
        )
    if page < pages:
        buttons.append(ButtonElement(text="Next", action_id=f"{PAGE_ACTION}_next", value=page_value(span, page + 1)))
    return ActionsBlock(elements=buttons)
