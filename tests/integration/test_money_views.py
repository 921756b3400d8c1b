"""`/balance`, the Home and `/accounting` as Slack asks for them: every cent on screen, clear page answers."""

from __future__ import annotations

from domains.accounting.queries import balance_of
from tests.e2e.harness import eventually
from tests.fakes.slack_text import header_and_lines, shown_text
from tests.integration.slack_app import SlackApp, blocks_of
from tests.integration.test_home_and_shortcuts import home_of, open_home


def a_task_with_a_fee(app: SlackApp, title: str) -> str:
    app.sender.command("UADMIN", "/task", f"new {title}", app.slack.response_url(f"made-{title}"))
    assignee = str(eventually(lambda: app.scalar("SELECT assignee_id FROM tasks_tasks"), bool))
    eventually(lambda: balance_of(app.sessions, assignee), lambda cents: cents < 0)
    return assignee


def test_the_balance_asked_for_is_made_of_the_lines_under_it(app: SlackApp) -> None:
    assignee = a_task_with_a_fee(app, "Fix *the* beak_now")

    app.sender.command(assignee, "/balance", "", app.slack.response_url("balance"))

    [reply] = app.slack.wait_for("response_url", where=lambda c: c.path == "/response/balance")
    balance, summed, lines = header_and_lines(blocks_of(reply))
    assert balance == summed == balance_of(app.sessions, assignee) < 0
    assert any(line.endswith(" · Fix *the* beak_now") and " Fee -$" in line for line in lines)
    open_home(app, assignee, "EvMoney")
    home = blocks_of(home_of(app, assignee, "Fee"))
    start = next(n for n, block in enumerate(home) if block["type"] == "header" and "Balance" in block["text"]["text"])
    end = max(n for n, block in enumerate(home) if block["type"] == "divider")
    assert header_and_lines(home[start:end])[:2] == (balance, balance)


def test_accounting_past_the_last_page_says_how_many_pages_there_are(app: SlackApp) -> None:
    for asked in ("2", "page 7"):
        reply = app.sender.command("UADMIN", "/accounting", asked, app.slack.response_url(f"page-{asked[-1]}"))
        assert reply.status == 200
    told = app.slack.wait_for("response_url", count=2, where=lambda c: c.path.startswith("/response/page-"))
    answers = {call.path: call.args["text"] for call in told}
    assert answers == {
        "/response/page-2": "There is only 1 page of balances (50 a page), so there is no page 2: try `/accounting 1`.",
        "/response/page-7": (
            "There is only 1 page of balances (50 a page), so there is no page 7: try `/accounting 1`."
        ),
    }
    assert all(not call.args.get("blocks") for call in told)
    app.sender.command("UADMIN", "/accounting", "1", app.slack.response_url("first"))
    [first] = app.slack.wait_for("response_url", where=lambda c: c.path == "/response/first")
    assert "Company money" in shown_text(blocks_of(first)) and "Alice" in shown_text(blocks_of(first))
