"""The `/accounting` view stays within Slack's limits however many workers there are."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.accounting_blocks import BALANCES_PER_PAGE, accounting_view, payout_dm, payout_text
from domains.accounting.queries import BalancesPage, WorkerBalance
from domains.kernel.contracts import BalanceCarriedOver, UserPaid

TODAY = date(2026, 11, 25)
EARNINGS = [(TODAY - timedelta(days=n), 1_000 * n - 3_000) for n in range(8)]


def test_a_full_page_of_long_names_fits_slacks_limits() -> None:
    rows = [WorkerBalance(f"U{n}", "<Popug> " + "x" * 190, -n * 100) for n in range(BALANCES_PER_PAGE)]
    blocks = accounting_view(TODAY, EARNINGS, BalancesPage(rows, page=2, pages=3, total=130))
    assert len(blocks) <= 50
    fields = [f for b in blocks if b["type"] == "section" for f in b.get("fields", [])]
    assert len(fields) == 2 * BALANCES_PER_PAGE and all(len(f["text"]) <= 2000 for f in fields)
    assert all(len(b.get("fields", [])) <= 10 for b in blocks)
    assert fields[0] == {"type": "plain_text", "text": "&lt;Popug&gt; " + "x" * 190, "emoji": False}
    assert fields[1]["text"] == "$0.00" and "<Popug>" not in json.dumps(blocks)
    [buttons] = [b for b in blocks if b["type"] == "actions"]
    assert [(e["text"]["text"], e["value"]) for e in buttons["elements"]] == [("Previous", "1"), ("Next", "3")]


def test_earnings_today_and_each_of_the_seven_days_before() -> None:
    blocks = accounting_view(TODAY, EARNINGS, BalancesPage([], page=1, pages=1, total=0))
    today, history = blocks[1]["text"]["text"], blocks[2]["text"]["text"]
    assert "Wed 25 Nov 2026" in today and "-$30.00" in today
    assert (
        history.count("\n") == 7 and "`Tue 24 Nov 2026`  -$20.00" in history and "`Wed 18 Nov 2026`  $40.00" in history
    )
    assert not [b for b in blocks if b["type"] == "actions"]


def test_the_payout_dm_is_worded_for_a_positive_a_zero_and_a_negative_day() -> None:
    day = TODAY
    paid = payout_text(UserPaid(user_id="U1", amount_cents=2_510, earned_cents=2_510, billing_cycle=day))
    even = payout_text(BalanceCarriedOver(user_id="U1", balance_cents=0, earned_cents=0, billing_cycle=day))
    lost = payout_text(BalanceCarriedOver(user_id="U1", balance_cents=-8_169, earned_cents=-8_169, billing_cycle=day))
    assert paid.startswith("You earned $25.10 on Wed 25 Nov 2026") and "was paid to you" in paid
    assert even == (
        "On Wed 25 Nov 2026 your rewards and fees came to $0.00: nothing earned, nothing lost. "
        "Nothing was paid: your balance is $0.00."
    )
    assert lost.startswith("On Wed 25 Nov 2026 your fees came to $81.69 more than your rewards.")
    assert "balance of -$81.69 carries over" in lost
    assert all("earned -" not in text and "$-" not in text for text in (paid, even, lost))
    assert payout_dm(UserPaid(user_id="U1", amount_cents=1, earned_cents=1, billing_cycle=day))[0]["text"]["text"] == (
        "Payday: Wed 25 Nov 2026"
    )


def test_earnings_booked_into_tomorrow_by_an_early_close_are_shown_under_today() -> None:
    page = BalancesPage([], page=1, pages=1, total=0)
    texts = [b["text"]["text"] for b in accounting_view(TODAY, EARNINGS, page, -2_500) if "text" in b]
    assert texts[2] == "*Booked into Thu 26 Nov 2026*: -$25.00, earned after today's close already ran"
    assert not any("Booked" in b.get("text", {}).get("text", "") for b in accounting_view(TODAY, EARNINGS, page))
