"""Every worker's balance, by name from accounting's own copy of the users, a page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from domains.accounting.queries import balances_page
from domains.kernel.contracts import UserRoleChanged, UserUpdated
from tests.integration.ledger import Ledger


@pytest.fixture
def ledger(pg_url: str) -> Iterator[Ledger]:
    running = Ledger.on(pg_url, datetime(2026, 11, 20, 12, tzinfo=UTC))
    yield running
    running.dispose()


def test_workers_and_money_holders_by_name_page_by_page(ledger: Ledger) -> None:
    for n in range(7):
        ledger.user(f"U{n}", f"Popug {n}")
    ledger.user("UADMIN", "Ada", role="admin")  # not a worker, and holds no money: not listed
    ledger.create("U3")  # a manager now, still holding money: listed
    ledger.deliver(UserRoleChanged(user_id="U3", old_role="worker", new_role="manager", changed_by="UADMIN"))
    ledger.create("UNEW")  # charged before accounting heard of the user: listed by Slack id
    ledger.deliver(UserRoleChanged(user_id="ULATE", old_role="worker", new_role="worker", changed_by="UADMIN"))
    ledger.deliver(UserUpdated(user_id="U6", name="Zed", email=None, avatar_url=None, role="worker", is_active=False))

    pages = [balances_page(ledger.sessions, page, 3) for page in (1, 2, 3)]

    names = [row.name for page in pages for row in page.rows]
    assert names == ["Popug 0", "Popug 1", "Popug 2", "Popug 3", "Popug 4", "Popug 5", "ULATE", "UNEW"]
    assert [(p.page, p.pages, p.total) for p in pages] == [(1, 3, 8), (2, 3, 8), (3, 3, 8)]
    charged = {row.user_id: row.balance_cents for page in pages for row in page.rows if row.balance_cents}
    assert set(charged) == {"U3", "UNEW"} and all(cents < 0 for cents in charged.values())
    assert balances_page(ledger.sessions, 99, 3).page == 3
