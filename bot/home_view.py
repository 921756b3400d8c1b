"""The App Home tab and the `/task list` pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ConfirmObject, DividerBlock, HeaderBlock
from slack_sdk.models.views import View

from bot.blocks import balance_blocks, context, render, section, short_ref, task_actions, task_label, task_line
from domains.accounting.queries import AuditLine
from domains.identity.model import UserView
from domains.tasks.model import BoardSummary, ShuffleRecord, TaskView

HOME_SHUFFLE = "home_shuffle"
LIST_PAGE = "task_list_page"
PAGE_SIZE = 20  # two blocks a task: a page stays well inside Slack's 50 blocks
MAX_HOME_BLOCKS = 100
HELP_FOR_EVERYONE = [
    "• `/task new [UP-42] Fix the beak`, or `/task new` for a form",
    "• `/task list`: your open tasks · `/task edit &lt;ref&gt;` (its author or an admin)",
    "• `/balance`: your balance and today's log",
]
BOARD_HELP = "• `/task board [@someone] [UP]`: every open task and who holds it · `/shuffle`: reassign them all"
ACCOUNTING_HELP = "• `/accounting`: the company's money per day and every account"
HELP_FOR_ROLE = {
    "manager": [BOARD_HELP],
    "accountant": [ACCOUNTING_HELP],
    "admin": [
        BOARD_HELP,
        "• `/task delete &lt;ref&gt;`: delete an open task",
        ACCOUNTING_HELP,
        "• `/analytics`: earnings, workers in the negative, the most expensive task",
        "• `/ates role @someone worker|manager|accountant|admin`: give someone a role",
    ],
}
STATUS_SHOWN = {"done": ":white_check_mark: done", "deleted": ":wastebasket: deleted"}


@dataclass(frozen=True)
class HomeData:
    """Everything the App Home shows one user."""

    actor: UserView
    open_tasks: list[TaskView]
    open_count: int
    recently_done: list[TaskView]
    balance_cents: int
    today: list[AuditLine]
    timezone: ZoneInfo
    board: BoardSummary | None = None  # managers and admins only
    last_shuffle: ShuffleRecord | None = None
    authored: list[TaskView] = field(default_factory=list)


def home_view(data: HomeData) -> View:
    """A role's own home: the board and its Shuffle for managers and admins, one's tasks, what one created."""
    blocks: list[Block] = [HeaderBlock(text="aTES")]
    if data.board is not None:
        blocks += [*board_blocks(data.board, data.last_shuffle, data.timezone), DividerBlock()]
    if data.actor.role == "worker" or data.open_count:
        blocks += _own_tasks(data)
    if data.authored:
        blocks += [HeaderBlock(text="Tasks you created"), section("\n".join(map(authored_line, data.authored)))]
    blocks += [DividerBlock(), *balance_blocks(data.balance_cents, data.today, data.timezone, shown=10)]
    help_lines = ["*Commands*", *HELP_FOR_EVERYONE, *HELP_FOR_ROLE.get(data.actor.role, [])]
    blocks += [DividerBlock(), section("\n".join(help_lines))]
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS])


def _own_tasks(data: HomeData) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=f"Your open tasks ({data.open_count})")]
    if not data.open_tasks:
        blocks.append(section("Nothing to do right now."))
    for task in data.open_tasks:
        blocks += [section(task_line(task)), task_actions(task)]
    if data.open_count > len(data.open_tasks):
        blocks.append(context(f"…and {data.open_count - len(data.open_tasks)} more: see `/task list`."))
    if data.recently_done:
        done = "\n".join(f":white_check_mark: {task_label(t.title, t.jira_id)}" for t in data.recently_done)
        blocks += [DividerBlock(), HeaderBlock(text="Recently completed"), section(done)]
    return blocks


def board_blocks(board: BoardSummary, last: ShuffleRecord | None, timezone: ZoneInfo) -> list[Block]:
    """The board in brief: open tasks, among how many workers, who holds most, the last shuffle and Shuffle."""
    holders = [f"• <@{assignee}>: {held}" for assignee, held in board.by_assignee]
    held_by_others = board.open_count - sum(held for _, held in board.by_assignee)
    if held_by_others:
        holders.append(f"• …and {held_by_others} more with others")
    summary = f"*{_plural(board.open_count, 'open task')} among {_plural(board.worker_count, 'worker')}*"
    blocks: list[Block] = [
        HeaderBlock(text="Board"),
        section("\n".join([summary, *holders, "Every open task and who holds it: `/task board`."])),
    ]
    if last is not None:
        blocks.append(context(shuffle_result(last, timezone)))
    shuffle = ButtonElement(
        text="Shuffle open tasks", action_id=HOME_SHUFFLE, value="shuffle", style="danger", confirm=_confirm(board)
    )
    return [*blocks, ActionsBlock(block_id="manager", elements=[shuffle])]


def _confirm(board: BoardSummary) -> ConfirmObject:
    """Money moves on a shuffle: each new assignee pays the task's fee, so ask first."""
    if not board.open_count:
        text = "There are no open tasks: nothing will move."
    elif not board.worker_count:
        text = "There is no worker to take them: nothing will move."
    else:
        moving = f"{_plural(board.open_count, 'open task')} will move among {_plural(board.worker_count, 'worker')}"
        text = f"{moving}; each new assignee pays the task's fee."
    return ConfirmObject(title="Shuffle every open task?", text=text, confirm="Shuffle", deny="Cancel", style="danger")


def shuffle_result(last: ShuffleRecord, timezone: ZoneInfo) -> str:
    at = last.shuffled_at if last.shuffled_at.tzinfo else last.shuffled_at.replace(tzinfo=UTC)  # SQLite drops it
    when = at.astimezone(timezone).strftime("%Y-%m-%d %H:%M")
    by = f" by <@{last.shuffled_by}>" if last.shuffled_by else ""
    return (
        f"Last shuffle{by}, {when}: {_plural(last.moved, 'task')} moved among {_plural(last.worker_count, 'worker')}."
    )


def authored_line(task: TaskView) -> str:
    status = f"open, with <@{task.assignee_id}>" if task.status == "open" else STATUS_SHOWN[task.status]
    return f"{task_label(task.title, task.jira_id)}  `{short_ref(task)}` · {status}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def task_list_page(tasks: list[TaskView], total: int, offset: int) -> list[dict[str, Any]]:
    """One page of the caller's open tasks, each with Done and its menu, and buttons to the other pages."""
    if not total:
        return render([section("You have no open tasks.")])
    last = offset + len(tasks)
    blocks: list[Block] = [section(f"*Your open tasks* ({offset + 1}–{last} of {total})")]
    for task in tasks:
        blocks += [section(task_line(task)), task_actions(task)]
    pager = []
    if offset > 0:
        pager.append(ButtonElement(text="Previous", action_id=f"{LIST_PAGE}_prev", value=str(offset - PAGE_SIZE)))
    if last < total:
        pager.append(ButtonElement(text="Next", action_id=f"{LIST_PAGE}_next", value=str(last)))
    if pager:
        blocks.append(ActionsBlock(block_id="pages", elements=pager))
    return render(blocks)
