"""Block Kit, built with slack_sdk's models so Slack's limits are checked before sending.

What a person typed is shown exactly as typed: it goes into `rich_text` text elements with every style
set explicitly (or into `plain_text`), which Slack never formats. Escaping is only what Slack requires:
`&`, `<` and `>` become entities in `plain_text`, mrkdwn and a message's `text`, where Slack reads them as
control characters (and shows the entities as the characters). A rich text element has no control
characters at all (mentions, links and emoji are elements of their own), so its text is sent as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextObject,
    RichTextBlock,
    RichTextElementParts,
    RichTextSectionElement,
    SectionBlock,
)

from domains.accounting.queries import AuditLine
from domains.kernel.clock import format_cents
from domains.tasks.model import TaskView

DONE_ACTION = "task_done"
MENU_ACTION = "task_menu"
EDIT, DELETE = "edit", "delete"
MAX_TEXT = 3000  # a section's or context element's text; also the most one rich text element carries here
MAX_HEADER = 150
MAX_BLOCKS = 50
_KIND_LABEL = {"withdraw": "Fee", "deposit": "Reward", "payment": "Payout"}
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ZWJ = "\u200d"
_URL = re.compile(r"https?://[^\s<>]+[^\s<>.,;:!?)'\"]")
Part = RichTextElementParts.Text | RichTextElementParts.User | RichTextElementParts.Link


def slack_escape(text: str) -> str:
    """`&`, `<` and `>` as entities, for mrkdwn and plain_text (Slack shows them as typed, never a ping or link)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_length(text: str) -> int:
    """Length as Slack may count it (UTF-16 code units), never less than Python's."""
    return len(text.encode("utf-16-le")) // 2


def _continues(char: str) -> bool:
    """A mark, joiner, variation selector, skin tone or tag that belongs to the character before it."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def clip(text: str, limit: int) -> str:
    """`text` cut so that, even escaped, it fits `limit`: never inside an emoji sequence; "…" when cut."""
    if _slack_length(slack_escape(text)) <= limit:
        return text
    used, end = 0, 0
    for char in text:
        used += _slack_length(_ENTITIES.get(char, char))
        if used > limit - 1:
            break
        end += 1
    while end and (_continues(text[end]) or text[end - 1] == _ZWJ):
        end -= 1
    return text[:end] + "…"


def said(text: str, limit: int = MAX_TEXT, *, bold: bool = False) -> RichTextElementParts.Text:
    """What a person typed, verbatim, in a rich text element: clipped, every style set, nothing read as markup."""
    return styled(clip(text, limit), bold=bold)


def said_with_links(text: str, limit: int = MAX_TEXT) -> list[Part]:
    """Like `said`, with each URL typed made a link to exactly that URL (one cut short is left as text)."""
    kept = clip(text, limit)
    parts: list[Part] = []
    last = 0
    for url in _URL.finditer(kept):
        if kept != text and url.end() >= len(kept) - 1:
            break
        parts += [styled(kept[last : url.start()]), _link(url.group())]
        last = url.end()
    return [part for part in [*parts, styled(kept[last:])] if not _empty(part)]


def _link(url: str) -> RichTextElementParts.Link:
    style = RichTextElementParts.TextStyle(bold=False, italic=False, strike=False, code=False)
    return RichTextElementParts.Link(url=url, text=url, style=style)


def _empty(part: Part) -> bool:
    return isinstance(part, RichTextElementParts.Text) and not part.text


def styled(text: str, *, bold: bool = False, italic: bool = False, code: bool = False) -> RichTextElementParts.Text:
    """Words in a rich text element with an explicit style (Slack reads no markers in them)."""
    style = RichTextElementParts.TextStyle(bold=bold, italic=italic, strike=False, code=code)
    return RichTextElementParts.Text(text=text, style=style)


def mention(user_id: str) -> RichTextElementParts.User:
    return RichTextElementParts.User(user_id=user_id)


def rich(*parts: Part, block_id: str | None = None) -> RichTextBlock:
    """One rich text block of parts (a "\n" in a part starts a new line)."""
    return RichTextBlock(elements=[RichTextSectionElement(elements=list(parts))], block_id=block_id)


def plain(text: str, limit: int = MAX_TEXT) -> PlainTextObject:
    """User text in a `plain_text` object (headers, buttons, options): escaped, clipped, no emoji codes read."""
    return PlainTextObject(text=slack_escape(clip(text, limit)), emoji=False)


def task_parts(title: str | None, jira_id: str | None) -> list[Part]:
    """A task's name as typed: its title in bold, then its Jira id."""
    parts: list[Part] = [said(title, 300, bold=True) if title else styled("a task", italic=True)]
    if jira_id:
        parts += [styled(" ("), said(jira_id, 64), styled(")")]
    return parts


def task_label(title: str | None, jira_id: str | None) -> str:
    """A task's name for a message's notification `text` (escaped, never formatted by us)."""
    name = slack_escape(clip(title, 300)) if title else "a task"
    return f"{name} ({slack_escape(clip(jira_id, 64))})" if jira_id else name


def message(*parts: Part) -> list[dict[str, Any]]:
    """A one-block message whose user text is shown verbatim."""
    return render([rich(*parts)])


def short_ref(task: TaskView) -> str:
    """The short reference `/task edit` accepts: the first 8 characters of the task's id."""
    return str(task.task_id)[:8]


def render(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks[:limit]]


def section(text: str) -> SectionBlock:
    """Our own mrkdwn (never user text: that goes through `rich`/`said`)."""
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return SectionBlock(text=MarkdownTextObject(text=text))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:MAX_TEXT])])


def header(text: str) -> HeaderBlock:
    """A header that may hold user text: escaped and clipped to Slack's 150 characters."""
    return HeaderBlock(text=plain(text, MAX_HEADER))


def task_actions(task: TaskView, *, done: bool = True) -> ActionsBlock:
    """A task's **Done** button (for its assignee) and its Edit/Delete menu."""
    elements: list[Any] = []
    if done:
        elements.append(ButtonElement(text="Done", action_id=DONE_ACTION, value=str(task.task_id), style="primary"))
    menu = [
        Option(text="Edit", value=f"{EDIT}:{task.task_id}"),
        Option(text="Delete", value=f"{DELETE}:{task.task_id}"),
    ]
    elements.append(OverflowMenuElement(action_id=MENU_ACTION, options=menu))
    return ActionsBlock(block_id=f"task:{task.task_id}", elements=elements)


def task_line(task: TaskView, *after: Part) -> RichTextBlock:
    """A task in a list: its name, its short ref and the start of its description, all as typed (then `after`)."""
    parts = [*task_parts(task.title, task.jira_id), styled("  "), styled(short_ref(task), code=True)]
    if task.description:
        parts += [styled("\n"), *said_with_links(task.description, 300)]
    return rich(*parts, *after)


def done_list(tasks: Iterable[TaskView]) -> RichTextBlock:
    """Tasks by name, one a line, each ticked."""
    lines: list[Part] = []
    for task in tasks:
        lines += [styled("\n✅ " if lines else "✅ "), *task_parts(task.title, task.jira_id)]
    return rich(*lines)


def created_reply(task: TaskView) -> tuple[str, list[dict[str, Any]]]:
    """What the author is told once their task exists: its name as typed, and who got it."""
    text = f"Created {task_label(task.title, task.jira_id)} and assigned it to <@{task.assignee_id}>."
    said_to: list[Part] = [styled(" and assigned it to "), mention(task.assignee_id), styled(".")]
    return text, message(styled("Created "), *task_parts(task.title, task.jira_id), *said_to)


def local_time(line: AuditLine, timezone: ZoneInfo) -> str:
    """A line's time, 24-hour, in the company's time zone (the billing cycle's)."""
    at = line.created_at if line.created_at.tzinfo else line.created_at.replace(tzinfo=UTC)  # SQLite drops the zone
    return at.astimezone(timezone).strftime("%H:%M")


def audit_line(line: AuditLine, timezone: ZoneInfo) -> RichTextBlock:
    """One line of the audit log: its time, what it was, the amount, and the task's name as typed."""
    parts: list[Part] = [styled(local_time(line, timezone), code=True)]
    parts.append(styled(f" {_KIND_LABEL[line.kind]} {format_cents(line.amount_cents)}"))
    if line.task_title or line.jira_id:
        parts += [styled(" · "), *task_parts(line.task_title, line.jira_id)]
    return rich(*parts)
