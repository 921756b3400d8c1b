"""The priced tasks: each task's prices, drawn once when accounting first hears of it, and its title as last told."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from domains.accounting.model import PriceDraw
from domains.accounting.tables import PricedTask
from domains.kernel.contracts import PriceAssigned, TaskPriceCreated
from domains.kernel.db import among, dialect_insert, insert_many, table_of
from domains.kernel.unit_of_work import UnitOfWork


@dataclass
class KnownTask:
    """Accounting's copy of a task as a transaction knows it: its prices and, once heard of, its title."""

    task_id: str
    fee_cents: int
    reward_cents: int
    title: str | None = None
    jira_id: str | None = None


class PriceList:
    """The tasks one transaction has seen, priced; renames are held back and written together (`write`)."""

    def __init__(self, uow: UnitOfWork, draw: PriceDraw) -> None:
        self.uow = uow
        self.draw = draw
        self.tasks: dict[str, KnownTask] = {}
        self.renamed: dict[str, KnownTask] = {}

    def priced(self, task_id: UUID) -> KnownTask:
        """The task with its prices, drawn now if accounting has not heard of it before."""
        if str(task_id) not in self.tasks:  # a batch's tasks are usually priced before its events are applied
            self.price([task_id])
        return self.tasks[str(task_id)]

    def price(self, task_ids: list[UUID]) -> None:
        """Load these tasks, drawing prices (once, for good) for those accounting has not heard of, all together.

        Prices are drawn in the order the tasks are first named, as one by one would.
        """
        wanted = [task_id for task_id in dict.fromkeys(str(t) for t in task_ids) if task_id not in self.tasks]
        if not wanted:
            return
        self.tasks.update(load_tasks(self.uow.session, wanted))
        new = [KnownTask(task_id, **self.draw.draw().__dict__) for task_id in wanted if task_id not in self.tasks]
        if not new:
            return
        inserted = insert_tasks(self.uow.session, new)
        for task in new:
            if task.task_id in inserted:
                self.tasks[task.task_id] = task
                prices = {"fee_cents": task.fee_cents, "reward_cents": task.reward_cents}
                self.uow.emit(TaskPriceCreated(task_id=UUID(task.task_id), **prices))
                self.uow.emit(PriceAssigned(task_id=UUID(task.task_id), **prices))
        # Another consumer priced the rest first: its prices stand, and it announced them.
        self.tasks.update(load_tasks(self.uow.session, [task.task_id for task in new if task.task_id not in inserted]))

    def rename(self, task_id: UUID, title: str, jira_id: str | None) -> None:
        """Give a task its title (written later; money moved before keeps the title it had then)."""
        task = self.priced(task_id)
        task.title, task.jira_id = title, jira_id
        self.renamed[task.task_id] = task

    def write(self) -> None:
        if self.renamed:
            rename_tasks(self.uow.session, list(self.renamed.values()))
            self.renamed = {}


def load_tasks(session: Session, task_ids: list[str]) -> dict[str, KnownTask]:
    if not task_ids:
        return {}
    table = table_of(PricedTask)
    columns = (table.c.task_id, table.c.fee_cents, table.c.reward_cents, table.c.title, table.c.jira_id)
    rows = session.execute(select(*columns).where(among(session, table.c.task_id, task_ids)))
    return {row.task_id: KnownTask(*row) for row in rows}


def insert_tasks(session: Session, tasks: list[KnownTask]) -> set[str]:
    """Insert tasks not yet known, in id order (so two consumers pricing the same ones never wait on each other in a
    circle); returns the ids inserted here, not by another consumer first."""
    table = table_of(PricedTask)
    rows = [
        {"task_id": task.task_id, "fee_cents": task.fee_cents, "reward_cents": task.reward_cents}
        for task in sorted(tasks, key=lambda task: task.task_id)
    ]
    statement = dialect_insert(session, table).on_conflict_do_nothing(index_elements=["task_id"])
    return set(insert_many(session, statement.returning(table.c.task_id), rows).scalars())


def rename_tasks(session: Session, tasks: list[KnownTask]) -> None:
    table = table_of(PricedTask)
    statement = (
        update(table)
        .where(table.c.task_id == bindparam("the_task_id"))
        .values(title=bindparam("new_title"), jira_id=bindparam("new_jira_id"))
    )
    rows = [{"the_task_id": task.task_id, "new_title": task.title, "new_jira_id": task.jira_id} for task in tasks]
    session.execute(statement, rows)
