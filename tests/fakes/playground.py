"""The playground as the fake Slack of end-to-end tests: what the app sent it, and acting as a person in it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.slack_api import Call, wait_for_calls


@dataclass
class PlaygroundClient:
    """Talks to a running app's playground at `base_url` (http://127.0.0.1:PORT/)."""

    base_url: str

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.base_url + path, timeout=10) as response:
            return json.loads(response.read())

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.base_url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as failure:
            return failure.code, json.loads(failure.read())

    def state(self, user: str) -> dict[str, Any]:
        return dict(self.get(f"playground/state?user={user}"))

    def roles(self) -> dict[str, str | None]:
        return {person["id"]: person["role"] for person in self.state("UADA")["people"]}

    def messages(self, user: str, channel: str) -> list[dict[str, Any]]:
        conversations = {c["id"]: c for c in self.state(user)["conversations"]}
        return list(conversations[channel]["messages"]) if channel in conversations else []

    def send(self, user: str, channel: str, text: str) -> tuple[int, dict[str, Any]]:
        return self.post("playground/send", {"user": user, "channel": channel, "text": text})

    def click(self, user: str, channel: str, message: dict[str, Any], action_id: str) -> tuple[int, dict[str, Any]]:
        block_id = next(b["block_id"] for b in message["blocks"] if action_id in json.dumps(b))
        body = {"user": user, "channel": channel, "ts": message["ts"], "block_id": block_id, "action_id": action_id}
        return self.post("playground/action", body)

    def calls_to(self, method: str) -> list[Call]:
        return [Call(c["method"], c["args"]) for c in self.get(f"playground/calls?method={method}")["calls"]]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 15.0, where: Callable[[Call], bool] = lambda c: True
    ) -> list[Call]:
        """The calls to `method` matching `where`, once there are `count` of them (or fail after `timeout`)."""
        return wait_for_calls(self.calls_to, method, count, timeout, where)
