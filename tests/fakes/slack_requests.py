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

    def interact(self, payload: dict[str, Any]) -> Reply:
        """Any interactivity payload (block_actions, view_submission, shortcut, message_action), signed."""
        base = {"team": {"id": "T1"}, "api_app_id": "A1", "token": "x", "trigger_id": "trigger-3"}
        return self.post(urlencode({"payload": json.dumps({**base, **payload})}), "application/x-www-form-urlencoded")

    def act(self, user_id: str, action: dict[str, Any], container: dict[str, Any], **extra: Any) -> Reply:
        """A block action from a message or a view: `container` is where the button or menu was."""
        return self.interact(
            {"type": "block_actions", "user": {"id": user_id}, "container": container, "actions": [action], **extra}
        )

    def submit_view(self, user_id: str, callback_id: str, values: dict[str, str], private_metadata: str = "") -> Reply:
        """A modal submitted with each input block's `value` element holding the given text."""
        state = {block: {"value": {"type": "plain_text_input", "value": text}} for block, text in values.items()}
        view = {
            "id": "V1",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": state},
        }
        return self.interact({"type": "view_submission", "user": {"id": user_id}, "view": view})

    def shortcut(self, user_id: str, callback_id: str) -> Reply:
        return self.interact({"type": "shortcut", "user": {"id": user_id}, "callback_id": callback_id})

    def message_shortcut(self, user_id: str, callback_id: str, channel_id: str, message: dict[str, Any]) -> Reply:
        return self.interact(
            {
                "type": "message_action",
                "user": {"id": user_id},
                "callback_id": callback_id,
                "channel": {"id": channel_id},
                "message": message,
                "response_url": "http://127.0.0.1:9/unused",
            }
        )

    def event(self, event: dict[str, Any], event_id: str, retry_num: int | None = None) -> Reply:
        """An Events API delivery; `retry_num` sets X-Slack-Retry-Num as Slack does when it delivers again."""
        body = {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return self.post(json.dumps(body), "application/json", headers=headers)
