"""The App Home tab and the `/task list` pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock, HeaderBlock
from slack_sdk.models.views import View

from bot.accounting_blocks import balance_blocks
from bot.blocks import context, done_list, render, section, task_actions, task_line
from domains.accounting.queries import Statement
from domains.identity.model import UserView, can_shuffle
from domains.tasks.model import TaskView

HOME_SHUFFLE = "home_shuffle"
LIST_PAGE = "task_list_page"
PAGE_SIZE = 20  # two blocks a task: a page stays well inside Slack's 50 blocks
MAX_HOME_BLOCKS = 100
HELP = (
    "*Commands*\n"
    "• `/task new [UP-42] Fix the beak`, or `/task new` for a form\n"
    "• `/task list`: your open tasks · `/task edit &lt;ref&gt;` · `/task delete &lt;ref&gt;` (admins)\n"
    "• `/balance`: your balance and today's log\n"
    "• `/shuffle`: reassign every open task (managers and admins)"
)


@dataclass(frozen=True)
class HomeData:
    """Everything the App Home shows one user."""

    actor: UserView
    open_tasks: list[TaskView]
    open_count: int
    recently_done: list[TaskView]
    statement: Statement  # today's, with what an early close booked into tomorrow
    timezone: ZoneInfo


def home_view(data: HomeData) -> View:
    blocks: list[Block] = [HeaderBlock(text="aTES")]
    if can_shuffle(data.actor.role):
        shuffle = ButtonElement(text="Shuffle open tasks", action_id=HOME_SHUFFLE, value="shuffle", style="danger")
        blocks.append(ActionsBlock(block_id="manager", elements=[shuffle]))
    blocks.append(HeaderBlock(text=f"Your open tasks ({data.open_count})"))
    if not data.open_tasks:
        blocks.append(section("Nothing to do right now."))
    for task in data.open_tasks:
        blocks += [task_line(task), task_actions(task)]
    if data.open_count > len(data.open_tasks):
        blocks.append(context(f"…and {data.open_count - len(data.open_tasks)} more: see `/task list`."))
    if data.recently_done:
        blocks += [DividerBlock(), HeaderBlock(text="Recently completed"), done_list(data.recently_done)]
    blocks += [DividerBlock(), *balance_blocks(data.statement, data.timezone, today=True, shown=10)]
    blocks += [DividerBlock(), section(HELP)]
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS])


def task_list_page(tasks: list[TaskView], total: int, offset: int) -> list[dict[str, Any]]:
    """One page of the caller's open tasks, each with Done and its menu, and buttons to the other pages."""
    if not total:
        return render([section("You have no open tasks.")])
    last = offset + len(tasks)
    blocks: list[Block] = [section(f"*Your open tasks* ({offset + 1}–{last} of {total})")]
    for task in tasks:
        blocks += [task_line(task), task_actions(task)]
    pager = []
    if offset > 0:
        pager.append(ButtonElement(text="Previous", action_id=f"{LIST_PAGE}_prev", value=str(offset - PAGE_SIZE)))
    if last < total:
        pager.append(ButtonElement(text="Next", action_id=f"{LIST_PAGE}_next", value=str(last)))
    if pager:
        blocks.append(ActionsBlock(block_id="pages", elements=pager))
    return render(blocks)
