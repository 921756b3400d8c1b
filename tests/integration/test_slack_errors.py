"""When Slack's Web API says no: 429 waits and retries; anything else is logged and the user gets an apology."""

from __future__ import annotations

import json
import logging

import pytest

from bot.listeners.errors import APOLOGY
from tests.e2e.harness import eventually
from tests.integration.slack_app import SlackApp


def test_a_rate_limited_call_waits_and_is_made_again(app: SlackApp) -> None:
    app.slack.rate_limit_next["chat.postMessage"] = 1
    app.sender.command("UADMIN", "/task", "new Fix the beak", app.slack.response_url("made"))
    dm = app.slack.wait_for("chat.postMessage")
    assert len(dm) == 1 and "Fix the beak" in json.dumps(dm[0].args["blocks"])
    assert app.slack.rate_limit_next["chat.postMessage"] == 0  # the first try was refused, the retry went through


def test_another_web_api_error_is_logged_with_its_method_and_the_user_gets_an_apology(
    app: SlackApp, caplog: pytest.LogCaptureFixture
) -> None:
    app.slack.fail_next["views.open"] = "expired_trigger_id"
    with caplog.at_level(logging.ERROR, logger="bot.listeners.errors"):
        app.sender.command("U1", "/task", "new", app.slack.response_url("form"))
        apology = eventually(lambda: app.replies("form"), bool)[0].args
    assert apology["text"] == APOLOGY and apology["response_type"] == "ephemeral"
    assert "Slack Web API views.open failed: expired_trigger_id" in caplog.text


def test_with_nowhere_to_answer_the_apology_comes_by_dm(app: SlackApp) -> None:
    app.slack.fail_next["views.open"] = "expired_trigger_id"
    app.sender.shortcut("U1", "create_task")
    apology = app.slack.wait_for("chat.postMessage", where=lambda c: c.args["channel"] == "U1")[0]
    assert apology.args["text"] == APOLOGY
