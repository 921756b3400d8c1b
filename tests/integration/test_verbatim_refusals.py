"""A refusal that names what someone typed shows it exactly as typed: no bold, italics, strike, code, emoji,
ping or link made of it (through signed requests, read from the app's answers)."""

from __future__ import annotations

from typing import Any

from domains.identity.queries import users_named
from tests.e2e.harness import eventually
from tests.fakes.slack_api import member
from tests.fakes.slack_text import markup_texts, shown_text, unescape
from tests.integration.slack_app import SlackApp

TYPED = ["*x*", "_y_", "~z~", "`c`", ":tada:", "<!channel>", "<@U1>", "a&b"]


def mrkdwn_texts(node: Any) -> list[str]:
    """Every mrkdwn string in blocks."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [text for value in node.values() for text in mrkdwn_texts(value)]
    return [text for value in node for text in mrkdwn_texts(value)] if isinstance(node, list) else []


def formatted(answer: dict[str, Any]) -> list[str]:
    """What Slack formats as mrkdwn: the blocks' mrkdwn, or the text of an answer without blocks."""
    return mrkdwn_texts(answer["blocks"]) if answer.get("blocks") else [answer["text"]]


def shows_as_typed(answer: dict[str, Any], typed: str) -> None:
    blocks = answer.get("blocks") or []
    assert typed in (shown_text(blocks) if blocks else unescape(answer["text"]))
    if set(typed) & set("*_~`:"):  # never where Slack would format it
        assert not any(typed in text for text in formatted(answer))
    for raw in [answer["text"], *markup_texts(blocks)]:  # Slack's entities wherever <…> would be read
        assert "<!channel>" not in raw and "<@U1>" not in raw and "a&b" not in raw


def test_refusals_name_the_words_typed_as_typed(app: SlackApp) -> None:
    for typed in TYPED:
        refuses_as_typed(app, typed)
    case = app.sender.command("UADMIN", "/analytics", "Week NotADay", app.slack.response_url("case")).json()
    assert case["text"].startswith("'NotADay' is not a date")  # in the case typed, too
    assert app.slack.calls_to("response_url") == []  # each refused in the answer itself; nothing else was sent


def refuses_as_typed(app: SlackApp, typed: str) -> None:
    balance = app.sender.command("U1", "/balance", typed, app.slack.response_url("balance")).json()
    assert f"Sorry, '{typed}' is not a day" in shown_text(balance.get("blocks") or []) + unescape(balance["text"])
    shows_as_typed(balance, typed)
    assert "*How to use `/balance`*" in formatted(balance)[-1]  # our own words stay mrkdwn

    analytics = app.sender.command("UADMIN", "/analytics", f"week {typed}", app.slack.response_url("a")).json()
    shows_as_typed(analytics, f"'{typed}' is not a date (YYYY-MM-DD) or a month (YYYY-MM).")
    spans = app.sender.command("UADMIN", "/analytics", f"{typed} {typed} {typed}", app.slack.response_url("b"))
    shows_as_typed(spans.json(), f"I can't read '{typed} {typed} {typed}'.")
    accounting = app.sender.command("UADMIN", "/accounting", f"month {typed}", app.slack.response_url("c")).json()
    shows_as_typed(accounting, f"'{typed}' is not a date")

    role = app.sender.command("UADMIN", "/ates", f"role <@U2> {typed}", app.slack.response_url("role")).json()
    shows_as_typed(role, f'"{typed}" is not a role: worker, manager, accountant, admin. Nothing was changed.')


def test_a_person_nobody_is_called_is_named_as_typed(app: SlackApp) -> None:
    for n, typed in enumerate(TYPED):
        names_nobody_as_typed(app, typed, f"role-{n}")


def names_nobody_as_typed(app: SlackApp, typed: str, answered_at: str) -> None:
    nobody = f"Nobody in this workspace is called @{typed}: pick them from Slack's @ menu."
    board = app.sender.command("UADMIN", "/task", f"board @{typed}", app.slack.response_url("board")).json()
    shows_as_typed(board, nobody)
    app.sender.command("UADMIN", "/ates", f"role @{typed} manager", app.slack.response_url(answered_at))
    [role] = app.slack.wait_for("response_url", where=lambda call: call.path == f"/response/{answered_at}")
    shows_as_typed(role.args, nobody)


def test_a_name_several_people_share_is_named_as_typed_beside_their_mentions(app: SlackApp) -> None:
    for user_id in ("U7", "U8"):
        app.sender.event({"type": "team_join", "user": member(user_id, "*x*")}, f"Ev-{user_id}")
    eventually(lambda: len(users_named(app.sessions, "*x*")), lambda count: count == 2)
    board = app.sender.command("UADMIN", "/task", "board @*x*", app.slack.response_url("several")).json()
    shows_as_typed(board, "Several people are called @*x*: pick the one you mean from Slack's @ menu.")
    assert "They are <@U7>, <@U8>." in formatted(board)  # our own mentions stay mrkdwn, to show as people
