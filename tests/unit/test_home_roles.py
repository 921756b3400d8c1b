"""Each role's App Home stays within Slack's limits, and the Shuffle button always asks first."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.home_view import HOME_SHUFFLE, HomeData, home_view
from domains.accounting.queries import AuditLine
from domains.identity.model import ROLES, UserView
from domains.tasks.model import BoardSummary, ShuffleRecord, TaskView


def task(n: int, status: str = "open") -> TaskView:
    return TaskView(uuid.UUID(int=n + 1), "T" * 200, "UP-42", "d" * 300, status, "U1", "U2")  # type: ignore[arg-type]


def test_every_roles_fullest_home_stays_within_a_hundred_blocks_and_shuffle_asks_first() -> None:
    board = BoardSummary(100_000, 5_000, [(f"U{n}", 20) for n in range(10)])
    last = ShuffleRecord("U9", 100_000, 5_000, datetime(2026, 1, 1, 23, 30, tzinfo=UTC))
    line = AuditLine("withdraw", -1500, "Fix the beak", "UP-42", datetime(2026, 1, 1, tzinfo=UTC))
    authored = [task(n, status) for n, status in enumerate(["open", "done", "deleted"] * 4)][:10]
    for role in ROLES:
        actor = UserView("U1", "Alice", None, None, role, True)
        managing = role in ("manager", "admin")
        data = HomeData(
            actor,
            [task(n) for n in range(20)],
            500,
            [task(n, "done") for n in range(5)],
            -1500,
            [line] * 300,
            ZoneInfo("Europe/Berlin"),
            board if managing else None,
            last if managing else None,
            authored,
        )
        view = home_view(data).to_dict()
        shown = json.dumps(view, ensure_ascii=False)
        assert len(view["blocks"]) <= 100 and "Tasks you created" in shown
        shuffles = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
        shuffles = [e for e in shuffles if e.get("action_id") == HOME_SHUFFLE]
        if managing:
            assert shuffles[0]["confirm"]["text"]["text"].startswith("100000 open tasks will move among 5000 workers")
            assert "Last shuffle by <@U9>, 2026-01-02 00:30: 100000 tasks moved among 5000 workers." in shown
            assert "…and 99800 more with others" in shown
        else:
            assert shuffles == [] and "Board" not in shown
