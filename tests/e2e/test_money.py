"""The money as people see it: the close pays out and DMs, `/balance` shows past days, `/accounting` the company."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from domains.accounting.queries import balance_of
from domains.kernel.db import make_engine
from jobs.migrations import upgrade
from tests.e2e.harness import SIGNING_SECRET, System, base_env, eventually, services_env
from tests.fakes.slack_api import Call, FakeSlack
from tests.fakes.slack_requests import SlackSender
from tests.integration.ledger import Ledger

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # every process the tests start runs its clock from here


def work_yesterday(database: str, now: datetime) -> dict[str, int]:
    """Alice finished a task yesterday (she is owed money); Bob was only charged (he owes)."""
    ledger = Ledger.on(database, now)
    yesterday = ledger.clock() - timedelta(days=1)
    try:
        ledger.complete(ledger.create("U1", "Polish the perch", at=yesterday), "U1", at=yesterday)
        ledger.create("U2", at=yesterday)
        return {user: balance_of(ledger.sessions, user) for user in ("U1", "U2")}
    finally:
        ledger.dispose()


def dm_to(user_id: str) -> Callable[[Call], bool]:
    return lambda call: call.args.get("channel") == user_id  # posted to the user id: Slack picks the DM


def test_the_day_closes_by_itself_and_the_money_views_show_it(slack: FakeSlack, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'var' / 'ates.sqlite3'}"
    (tmp_path / "var").mkdir()
    upgrade(database)
    owed = work_yesterday(database, NOW)
    env = base_env(slack.api_url, ATES_DATA_DIR=str(tmp_path / "var"), ATES_CLOCK_START=NOW.isoformat())
    running = System(env, tmp_path)
    running.start(distributed=False)
    try:
        paid = slack.wait_for("chat.postMessage", where=dm_to("U1"))[0]
        assert f"Your balance of ${owed['U1'] / 100:.2f} was paid to you" in paid.args["text"]
        carried = slack.wait_for("chat.postMessage", where=dm_to("U2"))[0]
        assert f"balance of -${-owed['U2'] / 100:.2f} carries over" in carried.args["text"]
        sender = SlackSender(running.url, SIGNING_SECRET)
        wait_for_names(database)

        refused = sender.command("U1", "/accounting", "", slack.response_url("refused"))
        assert refused.json() == {
            "response_type": "ephemeral",
            "text": "Only admins and accountants can see the company's money.",
        }
        shown = sender.command("UADMIN", "/accounting", "", slack.response_url("accounting"))
        assert shown.status == 200
        listing = slack.wait_for("response_url", where=lambda c: c.args.get("text", "").startswith("Company"))[0]
        rendered = json.dumps(listing.args["blocks"])
        shown_balances = balances_shown(listing)
        assert shown_balances["Alice"] == "$0.00" and shown_balances["Bob"] == f"-${-owed['U2'] / 100:.2f}"
        assert "Management's earnings" in rendered
        assert len(slack.calls_to("response_url")) == 1  # the admin's listing; the worker was shown nothing
        sender.click("U1", "accounting_page_next", "2", slack.response_url("sneaky"))
        slack.wait_for("response_url", where=lambda c: "Only admins and accountants" in c.args.get("text", ""))
        sender.click("UADMIN", "accounting_page_next", "2", slack.response_url("page"))
        again = slack.wait_for("response_url", count=2, where=lambda c: c.args.get("text", "").startswith("Company"))
        assert again[1].args["replace_original"] is True and balances_shown(again[1])["Alice"] == "$0.00"

        sender.command("U1", "/balance", "yesterday", slack.response_url("yesterday"))
        past = slack.wait_for("response_url", where=lambda c: "Your balance" in c.args.get("text", ""))[0]
        lines = json.dumps(past.args["blocks"])
        assert "Polish the perch" in lines and "Payout" in lines and "Reward" in lines
        confused = sender.command("U1", "/balance", "last tuesday", slack.response_url("bad"))
        assert (
            "'last tuesday' is not a day" in confused.json()["text"]
            and "/balance 2026-11-20" in confused.json()["text"]
        )
    finally:
        running.stop()


def balances_shown(reply: Call) -> dict[str, str]:
    """The `/accounting` page's name and balance fields, two by two."""
    texts = [f["text"] for b in reply.args["blocks"] if b["type"] == "section" for f in b.get("fields", [])]
    return dict(zip(texts[::2], texts[1::2], strict=True))


def wait_for_names(database: str) -> None:
    """Until accounting has its copy of the three people synced from Slack."""
    engine = make_engine(database)
    try:

        def named() -> int:
            with engine.connect() as connection:
                return int(connection.execute(text("SELECT count(*) FROM accounting_users")).scalar_one())

        eventually(named, lambda n: n == 3)
    finally:
        engine.dispose()


def test_celery_closes_the_missed_day_at_start_and_the_payout_dm_goes_once(
    slack: FakeSlack, tmp_path: Path, pg_url: str, redis_url: str, stream_prefix: str
) -> None:
    owed = work_yesterday(pg_url, NOW)
    env = services_env(
        slack.api_url,
        pg_url,
        redis_url,
        stream_prefix,
        tmp_path / "var",
        ATES_CLOCK_START=NOW.isoformat(),  # every process's today, whatever the date: beat's next 00:01 is hours away
    )
    running = System(env, tmp_path)
    running.start(distributed=True)
    try:
        running.spawn(["-m", "jobs.worker", "--pool", "solo"], "worker")
        running.spawn(["-m", "jobs.beat"], "beat")  # beat's own catch-up at start: a second close, which pays no one
        paid = slack.wait_for("chat.postMessage", where=dm_to("U1"), timeout=60)[0]
        assert f"Your balance of ${owed['U1'] / 100:.2f} was paid to you" in paid.args["text"]
        slack.wait_for("chat.postMessage", where=dm_to("U2"))
        closes = eventually(lambda: running.log("worker").count("close_due_days"), lambda n: n >= 5, timeout=30)
        assert closes == 5  # the task listed once, then received and succeeded twice: the worker's and beat's
        assert len(slack.calls_to("chat.postMessage")) == 2  # Alice's payout and Bob's carried balance, once each
        ledger = Ledger.on(pg_url, NOW)
        try:
            assert [r.user_id for r in ledger.records("payment")] == ["U1"]
            assert {r.billing_cycle for r in ledger.records()} == {(NOW - timedelta(days=1)).date()}  # closed by NOW
        finally:
            ledger.dispose()
    finally:
        running.stop()
