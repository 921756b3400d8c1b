"""Requests as Slack sends them: form-encoded slash commands and interactivity payloads, signed."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier


@dataclass(frozen=True)
class Reply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class SlackSender:
    """Sends signed requests to the app at `url` (…/slack/events)."""

    url: str
    signing_secret: str

    def post(
        self,
        body: str,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        verifier = SignatureVerifier(self.signing_secret)
        signed = signature or verifier.generate_signature(timestamp=stamp, body=body) or ""
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signed,
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def command(self, user_id: str, command: str, text: str, response_url: str, **signing: Any) -> Reply:
        form = {
            "token": "x",
            "team_id": "T1",
            "team_domain": "ates",
            "channel_id": "C1",
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "response_url": response_url,
            "trigger_id": "trigger-1",
            "api_app_id": "A1",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **signing)

    def click(
        self,
        user_id: str,
        action_id: str,
        value: str,
        response_url: str,
        message: dict[str, Any] | None = None,
        channel_id: str = "D1",
    ) -> Reply:
        payload = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user_id},
            "api_app_id": "A1",
            "token": "x",
            "trigger_id": "trigger-2",
            "response_url": response_url,
            "channel": {"id": channel_id},
            "container": {"type": "message", "channel_id": channel_id},
            "message": message or {"ts": "1.000001", "text": ""},
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
