"""`/task board`: every open task and who holds it, newest first, a page at a time, by person or Jira project."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import mention, render, section, styled, task_line
from bot.people import UnknownPerson, is_person_reference, person_id
from bot.replies import Refusal
from domains.identity.model import UserView, can_shuffle
from domains.tasks.model import JIRA_PROJECT, BoardFilter
from domains.tasks.queries import board_page, count_board

BOARD_PAGE = "task_board_page"
PAGE_SIZE = 20  # one block a task: a page stays well inside Slack's 50 blocks
USAGE = (
    "`/task board [@someone] [PROJECT]`: the open tasks and who holds them, newest first; "
    "e.g. `/task board @sky UP` for Sky's tasks of the Jira project UP. "
    "Managers and admins see everyone's; others see their own."
)


class BoardRefusal(Exception):
    """A board that cannot be shown: `answer` says why, for the user."""

    def __init__(self, answer: str | Refusal) -> None:
        super().__init__(answer.said if isinstance(answer, Refusal) else answer)
        self.answer = answer


ONLY_YOURS = "Only managers and admins see other people's tasks: `/task board` shows you your own."


def parse_board(sessions: sessionmaker[Session], text: str) -> BoardFilter:
    """`@sky UP` -> Sky's tasks of project UP; raises BoardRefusal with the answer for anything else."""
    assignee_id = project = None
    for word in text.split():
        if is_person_reference(word) and assignee_id is None:
            assignee_id = _person(sessions, word)
        elif JIRA_PROJECT.match(word.upper()) and project is None:
            project = word.upper()
        else:
            raise BoardRefusal(USAGE)
    return BoardFilter(assignee_id, project)


def _person(sessions: sessionmaker[Session], word: str) -> str:
    try:
        return person_id(sessions, word)
    except UnknownPerson as unknown:
        raise BoardRefusal(unknown.answer) from unknown


def allowed(actor: UserView, board: BoardFilter) -> BoardFilter:
    """Managers and admins see any board; anyone else their own tasks only (raises BoardRefusal)."""
    if can_shuffle(actor.role):
        return board
    if board.assignee_id not in (None, actor.slack_id):
        raise BoardRefusal(ONLY_YOURS)
    return BoardFilter(actor.slack_id, board.project)


def board_blocks(sessions: sessionmaker[Session], board: BoardFilter, offset: int = 0) -> list[dict[str, Any]]:
    """One page of the board: each open task with its assignee, and buttons to the other pages."""
    total = count_board(sessions, board)
    offset = max(0, min(offset, max(total - 1, 0)) // PAGE_SIZE * PAGE_SIZE)
    tasks = board_page(sessions, board, PAGE_SIZE, offset)
    if not total:
        return render([section(f"No open tasks{_described(board)}.")])
    last = offset + len(tasks)
    blocks: list[Block] = [section(f"*Open tasks{_described(board)}* ({offset + 1}–{last} of {total}, newest first)")]
    blocks += [task_line(task, styled("\nHeld by "), mention(task.assignee_id)) for task in tasks]
    pager = []
    if offset > 0:
        pager.append(_page_button("Previous", "prev", board, offset - PAGE_SIZE))
    if last < total:
        pager.append(_page_button("Next", "next", board, last))
    if pager:
        blocks.append(ActionsBlock(block_id="board_pages", elements=pager))
    return render(blocks)


def board_of_button(value: str) -> tuple[BoardFilter, int]:
    """The board and offset a page button carries (a value that is not one of ours: the whole board's start)."""
    try:
        asked = json.loads(value)
        return BoardFilter(asked.get("assignee") or None, asked.get("project") or None), int(asked["offset"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return BoardFilter(), 0


def _page_button(text: str, direction: str, board: BoardFilter, offset: int) -> ButtonElement:
    value = json.dumps({"offset": offset, "assignee": board.assignee_id, "project": board.project})
    return ButtonElement(text=text, action_id=f"{BOARD_PAGE}_{direction}", value=value)


def _described(board: BoardFilter) -> str:
    held = f" held by <@{board.assignee_id}>" if board.assignee_id else ""
    project = f" of project {board.project}" if board.project else ""
    return held + project
