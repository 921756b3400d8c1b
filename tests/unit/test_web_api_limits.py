"""The playground's Web API refuses what Slack would, with a Retry-After, and the server answers it as a 429."""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

import pytest

from bot.playground.server import Playground
from bot.playground.state import SlackState
from bot.playground.web_api import RateLimited, WebApi

BASE = "http://127.0.0.1:3000/"
HOME = {"type": "home", "blocks": []}


def test_a_burst_over_the_limit_is_refused_and_nothing_is_done() -> None:
    web = WebApi(SlackState(), BASE)
    for text in ("one", "two"):
        assert web.answer("chat.postMessage", {"channel": "DUKIWI", "text": text})["ok"]
    with pytest.raises(RateLimited) as refusal:
        web.answer("chat.postMessage", {"channel": "DUKIWI", "text": "three"})
    assert refusal.value.retry_after == 1
    assert web.answer("views.publish", {"user_id": "UKIWI", "view": HOME})["ok"]  # another method's own limit
    assert [c.args["text"] for c in web.state.calls_to("chat.postMessage")] == ["one", "two"]


def test_the_playground_answers_a_refused_call_with_429_and_retry_after() -> None:
    playground = Playground(BASE, "http://127.0.0.1:1/slack/events", "secret")
    answered: list[tuple[str, list[tuple[str, str]]]] = []

    def call() -> dict[str, Any]:
        body = json.dumps({"user_id": "UKIWI", "view": HOME}).encode()
        environ = {
            "PATH_INFO": "/playground/api/views.publish",
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": BytesIO(body),
        }
        app = playground.mount(lambda environ, start: [])
        return dict(json.loads(b"".join(app(environ, lambda status, headers: answered.append((status, headers))))))

    assert [call()["ok"] for _ in range(2)] == [True, True]
    assert call() == {"ok": False, "error": "ratelimited"}
    status, headers = answered[-1]
    assert status.startswith("429") and ("Retry-After", "1") in headers
