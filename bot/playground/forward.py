"""Sends what a person does in the page to the app as Slack would: signed, with Slack's own payloads."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.playground.interactions import BadInteraction, action_payload, find_element, missing_required, state_values
from bot.playground.manifest import Command, Shortcut
from bot.playground.state import Message, ReplyTarget, SlackState, View
from bot.playground.workspace import BOT_ID, BOT_USER_ID, BY_ID, TEAM_ID, dm_channel, handle

APP_ID = "A0PLAYGROUND"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class AppReply:
    status: int
    body: str

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None


class Forwarder:
    """Signs and posts to the app's /slack/events; applies what the app answers, as Slack's client does."""

    def __init__(self, state: SlackState, events_url: str, signing_secret: str, base_url: str) -> None:
        self.state = state
        self.events_url = events_url
        self.verifier = SignatureVerifier(signing_secret)
        self.base_url = base_url

    def post(self, body: str, content_type: str) -> AppReply:
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=stamp, body=body) or "",
        }
        request = urllib.request.Request(self.events_url, data=body.encode(), method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return AppReply(response.status, response.read().decode())
        except urllib.error.HTTPError as failure:
            return AppReply(failure.code, failure.read().decode())
        except OSError as failure:
            return AppReply(0, str(failure))

    def _response_url(self, target: ReplyTarget) -> str:
        return f"{self.base_url}playground/respond/{self.state.reply_token(target)}"

    def command(self, user_id: str, channel: str, command: Command, text: str) -> AppReply:
        """A slash command typed in `channel`; the app's acknowledgement shows as Slack shows it."""
        form = {
            "token": "playground",
            "team_id": TEAM_ID,
            "team_domain": "ates-playground",
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user_id,
            "user_name": handle(BY_ID[user_id]),
            "command": command.name,
            "text": command.text_for_app(text.strip()),
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self._response_url(ReplyTarget(channel, user_id)),
            "trigger_id": self.state.trigger_for(user_id),
        }
        reply = self.post(urlencode(form), FORM)
        if reply.status != 200:
            self._say(channel, user_id, f'`{command.name}` failed with the error "dispatch_failed" ({reply.status})')
        elif reply.body.strip():
            self._show_acknowledgement(user_id, channel, f"{command.name} {text}".strip(), reply)
        return reply

    def _show_acknowledgement(self, user_id: str, channel: str, line: str, reply: AppReply) -> None:
        """Slack shows the typed command only beside an answer everyone sees; otherwise the answer is the user's."""
        answer = reply.json()
        if not isinstance(answer, dict):
            answer = {"text": reply.body}
        visible = None if answer.get("response_type") == "in_channel" else user_id
        if visible is None:
            self.state.post(Message(channel, self.state.next_ts(), user_id, line, []))
        blocks = answer.get("blocks") or []
        self.state.bot_message(channel, str(answer.get("text") or ""), blocks, ephemeral_to=visible)

    def _say(self, channel: str, user_id: str, text: str) -> None:
        self.state.bot_message(channel, text, [], ephemeral_to=user_id)

    def click_in_message(
        self, user_id: str, channel: str, ts: str, block_id: str, action_id: str, chosen: Any
    ) -> AppReply:
        message = self._visible_message(user_id, channel, ts)
        action = action_payload(block_id, find_element(message.blocks, block_id, action_id), chosen)
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": message.channel,
            "is_ephemeral": message.ephemeral_to is not None,
        }
        payload = self._block_actions(user_id, action, container, ReplyTarget(message.channel, user_id, ts))
        payload["channel"] = {"id": message.channel, "name": message.channel.lower()}
        if message.ephemeral_to is None:
            payload["message"] = {"type": "message", "ts": ts, "text": message.text, "blocks": message.blocks}
        return self._send_payload(payload)

    def _visible_message(self, user_id: str, channel: str, ts: str) -> Message:
        message = self.state.find(channel, ts)
        if message is None or not message.visible_to(user_id):
            raise BadInteraction("that message is gone")
        if message.channel.startswith("D") and message.channel != dm_channel(user_id):
            raise BadInteraction("that message is in someone else's DM")
        return message

    def global_shortcut(self, user_id: str, shortcut: Shortcut) -> AppReply:
        """Chosen from the ⚡ menu: Slack sends a `shortcut` payload, with no channel and no response_url."""
        return self._send_payload({"type": "shortcut", **self._shortcut_fields(user_id, shortcut)})

    def message_shortcut(self, user_id: str, shortcut: Shortcut, channel: str, ts: str) -> AppReply:
        """Chosen from a message's "More actions": Slack sends a `message_action` payload with the message."""
        message = self._visible_message(user_id, channel, ts)
        if message.ephemeral_to is not None:
            raise BadInteraction("Slack offers no shortcuts on a message only you can see")
        quoted: dict[str, Any] = {"type": "message", "user": message.author, "ts": ts, "text": message.text}
        if message.author == BOT_USER_ID:
            quoted["bot_id"] = BOT_ID
        if message.blocks:
            quoted["blocks"] = message.blocks
        payload = {
            "type": "message_action",
            **self._shortcut_fields(user_id, shortcut),
            "channel": {"id": message.channel, "name": message.channel.lower()},
            "message_ts": ts,
            "message": quoted,
            "response_url": self._response_url(ReplyTarget(message.channel, user_id, ts)),
        }
        return self._send_payload(payload)

    def _shortcut_fields(self, user_id: str, shortcut: Shortcut) -> dict[str, Any]:
        return {
            "token": "playground",
            "action_ts": f"{time.time():.6f}",
            "team": {"id": TEAM_ID, "domain": "ates-playground"},
            "user": {"id": user_id, "username": handle(BY_ID[user_id]), "team_id": TEAM_ID},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": shortcut.callback_id,
            "trigger_id": self.state.trigger_for(user_id),
        }

    def click_in_view(
        self, user_id: str, view_id: str, block_id: str, action_id: str, chosen: Any, raw_values: dict[str, Any]
    ) -> AppReply:
        view = self.state.view(view_id)
        if view is None or view.user_id != user_id:
            raise BadInteraction("that view is gone")
        blocks = view.body.get("blocks", [])
        action = action_payload(block_id, find_element(blocks, block_id, action_id), chosen)
        container = {"type": "view", "view_id": view_id}
        payload = self._block_actions(user_id, action, container, ReplyTarget(dm_channel(user_id), user_id))
        payload["view"] = self._view_with_state(view, raw_values)
        return self._send_payload(payload)

    def _block_actions(
        self, user_id: str, action: dict[str, Any], container: dict[str, Any], target: ReplyTarget
    ) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "ates-playground"},
            "user": {"id": user_id, "username": handle(BY_ID[user_id]), "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "playground",
            "container": container,
            "trigger_id": self.state.trigger_for(user_id),
            "response_url": self._response_url(target),
            "actions": [action],
        }

    def _view_with_state(self, view: View, raw_values: dict[str, Any]) -> dict[str, Any]:
        slack_view = view.as_slack()
        slack_view["state"] = {"values": state_values(view.body.get("blocks", []), raw_values)}
        return slack_view

    def _send_payload(self, payload: dict[str, Any]) -> AppReply:
        return self.post(urlencode({"payload": json.dumps(payload)}), FORM)

    def submit(self, user_id: str, view_id: str, raw_values: dict[str, Any]) -> dict[str, Any]:
        """Submit a modal; returns Slack's outcome for the page: closed, updated, or field errors."""
        view = self.state.view(view_id)
        if view is None or view.user_id != user_id or view.body.get("type") != "modal":
            raise BadInteraction("that modal is gone")
        slack_view = self._view_with_state(view, raw_values)
        errors = missing_required(view.body.get("blocks", []), slack_view["state"]["values"])
        if errors:
            return {"errors": errors}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "ates-playground"},
            "user": {"id": user_id, "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "playground",
            "trigger_id": self.state.trigger_for(user_id),
            "view": slack_view,
            "response_urls": [],
        }
        reply = self._send_payload(payload)
        if reply.status != 200:
            return {"errors": {"": f"The app did not accept the form (HTTP {reply.status})."}}
        return self._after_submission(user_id, view, reply.json())

    def _after_submission(self, user_id: str, view: View, answer: Any) -> dict[str, Any]:
        action = answer.get("response_action") if isinstance(answer, dict) else None
        if action == "errors":
            return {"errors": answer.get("errors") or {}}
        if action in ("update", "push") and isinstance(answer.get("view"), dict):
            if action == "update":
                with self.state.lock:
                    view.body = answer["view"]
                    self.state.changed()
            else:
                self.state.modals.setdefault(user_id, []).append(View(self.state.new_id("V"), user_id, answer["view"]))
                self.state.changed()
            return {"kept": True}
        self.state.close_modals(user_id, None if action == "clear" else view.view_id)
        return {"closed": True}

    def open_home(self, user_id: str) -> AppReply:
        """The person opened the app's Home tab: Slack sends `app_home_opened`."""
        home = self.state.homes.get(user_id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": dm_channel(user_id),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        if home is not None:
            event["view"] = home.as_slack()
        body = {
            "token": "playground",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:12].upper(),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "UATESBOT", "is_bot": True}],
        }
        return self.post(json.dumps(body), "application/json")
