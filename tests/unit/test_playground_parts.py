"""The playground's pure parts: Slack's Web API answers, response_url rules, payload values, settings."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from bot.playground.emoji_names import shortcodes
from bot.playground.interactions import BadInteraction, action_payload, missing_required, state_values
from bot.playground.local import claim_port, playground_settings, wanted
from bot.playground.manifest import Command, load_manifest, message_text
from bot.playground.state import ReplyTarget, SlackState
from bot.playground.web_api import WebApi, respond, with_block_ids
from bot.playground.workspace import ANALYTICS, GENERAL, PEOPLE
from domains.kernel.settings import Settings

BASE = "http://127.0.0.1:3000/"
SELECT = {
    "type": "static_select",
    "action_id": "size",
    "options": [{"text": {"type": "plain_text", "text": "Big"}, "value": "big"}],
}


def api() -> WebApi:
    return WebApi(SlackState(), BASE, limits=None)  # these tests are of the answers; test_web_api_limits.py of limits


def texts(state: SlackState, channel: str, viewer: str) -> list[str]:
    return [m.text for m in state.channels[channel] if m.visible_to(viewer)]


def test_users_list_pages_through_every_member_with_a_served_avatar() -> None:
    web = api()
    first = web.answer("users.list", {"limit": "3"})
    rest = web.answer("users.list", {"limit": "100", "cursor": first["response_metadata"]["next_cursor"]})
    members = first["members"] + rest["members"]
    assert [m["id"] for m in members if not m["is_bot"]] == [p.slack_id for p in PEOPLE]
    assert rest["response_metadata"]["next_cursor"] == ""
    assert members[0]["profile"]["image_192"] == BASE + "playground/avatars/UADA.svg"
    assert [m["id"] for m in members if m.get("is_admin")] == ["UADA"]


def test_unknown_users_and_methods_are_refused() -> None:
    web = api()
    assert web.answer("users.info", {"user": "UNOBODY"}) == {"ok": False, "error": "user_not_found"}
    assert web.answer("conversations.open", {"users": "UNOBODY"})["ok"] is False
    assert web.answer("admin.everything", {}) == {"ok": False, "error": "unknown_method"}
    assert [c.method for c in web.state.calls] == ["users.info", "conversations.open", "admin.everything"]


def test_a_message_posted_to_a_user_lands_in_their_dm_and_can_be_updated() -> None:
    web = api()
    posted = web.answer("chat.postMessage", {"channel": "UKIWI", "text": "hi", "blocks": '[{"type": "divider"}]'})
    assert posted["channel"] == "DKIWI"
    assert web.state.channels["DKIWI"][0].blocks == [{"type": "divider", "block_id": "b0"}]
    web.answer("chat.update", {"channel": "DKIWI", "ts": posted["ts"], "text": "bye"})
    assert texts(web.state, "DKIWI", "UKIWI") == ["bye"] and web.state.channels["DKIWI"][0].edited
    assert web.answer("chat.update", {"channel": "DKIWI", "ts": "0.0", "text": "x"})["error"] == "message_not_found"


def test_an_ephemeral_message_is_seen_by_its_user_only() -> None:
    web = api()
    web.answer("chat.postEphemeral", {"channel": GENERAL, "user": "UKIWI", "text": "psst"})
    assert texts(web.state, GENERAL, "UKIWI") == ["psst"]
    assert texts(web.state, GENERAL, "UMANGO") == []


def test_views_open_needs_a_live_trigger_and_views_update_checks_the_hash() -> None:
    web = api()
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    assert web.answer("views.open", {"trigger_id": "made-up", "view": modal})["error"] == "invalid_trigger_id"
    trigger = web.state.trigger_for("UKIWI")
    opened = web.answer("views.open", {"trigger_id": trigger, "view": modal})["view"]
    assert web.answer("views.open", {"trigger_id": trigger, "view": modal})["error"] == "invalid_trigger_id"
    stale = web.answer("views.update", {"view_id": opened["id"], "hash": "old", "view": modal})
    assert stale["error"] == "hash_conflict"
    updated = web.answer("views.update", {"view_id": opened["id"], "hash": opened["hash"], "view": modal})
    assert updated["ok"] and updated["view"]["hash"] != opened["hash"]


def test_views_publish_keeps_one_home_per_user() -> None:
    web = api()
    first = web.answer("views.publish", {"user_id": "UKIWI", "view": {"type": "home", "blocks": []}})
    again = web.answer("views.publish", {"user_id": "UKIWI", "view": {"type": "home", "blocks": [{"type": "divider"}]}})
    assert first["view"]["id"] == again["view"]["id"]
    assert web.state.homes["UKIWI"].body["blocks"] == [{"type": "divider", "block_id": "b0"}]
    assert web.answer("views.publish", {"user_id": "UKIWI", "view": {"type": "modal"}})["error"] == "invalid_arguments"


def test_response_url_replies_replace_delete_or_add_as_asked() -> None:
    state = SlackState()
    original = state.bot_message(GENERAL, "pick", [])
    target = ReplyTarget(GENERAL, "UKIWI", original.ts)
    respond(state, target, {"text": "just for you"})
    respond(state, target, {"text": "for all", "response_type": "in_channel"})
    assert texts(state, GENERAL, "UMANGO") == ["pick", "for all"]
    respond(state, target, {"text": "picked", "replace_original": "true"})
    assert texts(state, GENERAL, "UKIWI") == ["picked", "just for you", "for all"]
    respond(state, target, {"delete_original": True})
    assert texts(state, GENERAL, "UKIWI") == ["just for you", "for all"]


def test_slack_names_unnamed_blocks_and_elements() -> None:
    blocks = with_block_ids([{"type": "actions", "elements": [{"type": "button"}]}, "junk"])
    assert blocks == [{"type": "actions", "block_id": "b0", "elements": [{"type": "button", "action_id": "a0"}]}]


def test_action_payloads_carry_what_slack_sends() -> None:
    button = {"type": "button", "action_id": "done", "value": "7", "text": {"type": "plain_text", "text": "Done"}}
    clicked = action_payload("b1", button, None)
    assert (clicked["type"], clicked["block_id"], clicked["value"]) == ("button", "b1", "7")
    chosen = action_payload("b2", SELECT, "big")
    assert chosen["selected_option"]["value"] == "big"
    with pytest.raises(BadInteraction):
        action_payload("b2", SELECT, "huge")


def test_state_values_and_required_inputs() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "input", "block_id": "t", "element": {"type": "plain_text_input", "action_id": "t"}},
        {"type": "input", "block_id": "s", "optional": True, "element": SELECT},
        {"type": "input", "block_id": "u", "element": {"type": "users_select", "action_id": "u"}},
        {"type": "input", "block_id": "c", "element": {"type": "checkboxes", "action_id": "c", "options": []}},
    ]
    values = state_values(blocks, {"t": {"t": ""}, "u": {"u": "UKIWI"}})
    assert values["t"] == {"t": {"type": "plain_text_input", "value": None}}
    assert values["s"] == {"size": {"type": "static_select", "selected_option": None}}
    assert values["u"] == {"u": {"type": "users_select", "selected_user": "UKIWI"}}
    assert missing_required(blocks, values) == {"t": "Please fill out this field.", "c": "Please fill out this field."}


def test_the_playground_is_for_when_no_slack_app_is_set() -> None:
    assert wanted(Settings(slack_bot_token=None, slack_app_token=None))
    assert not wanted(Settings(slack_bot_token="xoxb-real"))
    port = port_in_time_wait()
    local = playground_settings(Settings(port=port))
    assert local.slack_api_url == f"http://127.0.0.1:{port}/playground/api/"
    assert local.ates_analytics_channel == ANALYTICS
    assert playground_settings(Settings(port=port, ates_analytics_channel="C123")).ates_analytics_channel == "C123"


def port_in_time_wait() -> int:
    """A port as a stopped run leaves it: the server closed its connection first, so that end waits in TIME_WAIT."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = int(listener.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port)) as tab:
            accepted, _ = listener.accept()
            accepted.close()
            assert tab.recv(1) == b""
    return port


def test_a_restart_keeps_the_port_its_last_run_left_in_time_wait() -> None:
    port = port_in_time_wait()
    with socket.socket() as plain, pytest.raises(OSError, match="Address already in use"):
        plain.bind(("127.0.0.1", port))  # a probe without address reuse thinks the port is taken
    assert claim_port(port) == port
    assert playground_settings(Settings(port=port)).port == port


def test_a_port_another_program_listens_on_is_refused_clearly() -> None:
    with socket.create_server(("127.0.0.1", 0)) as other:
        port = int(other.getsockname()[1])
        with pytest.raises(SystemExit, match=rf"port {port} is taken by another program.*PORT={port + 1} make run"):
            playground_settings(Settings(port=port))


def test_the_manifest_gives_the_playground_the_apps_commands_and_shortcuts() -> None:
    manifest = load_manifest()
    names = {command.name for command in manifest.commands}
    assert {"/task", "/balance", "/shuffle", "/ates", "/accounting", "/analytics"} <= names
    assert [c.name for c in manifest.commands if c.should_escape] == ["/ates"]
    assert [(s.kind, s.callback_id) for s in manifest.shortcuts] == [
        ("global", "create_task"),
        ("message", "create_task_from_message"),
    ]
    assert manifest.command("/foo") is None and manifest.shortcut("nope") is None


def test_a_command_with_should_escape_gets_mentions_as_slack_sends_them() -> None:
    escaped = Command("/ates", should_escape=True)
    assert escaped.text_for_app("role @Sky manager") == "role <@USKY|sky> manager"
    typed = "@sky, @nobody in #general, #nowhere @here kiwi@ates.example <@UKIWI> @max."
    expected = "<@USKY|sky>, @nobody in <#CGENERAL|general>, #nowhere <!here> kiwi@ates.example <@UKIWI> <@UMAX|max>."
    assert escaped.text_for_app(typed) == expected
    assert Command("/task").text_for_app("role @Sky manager") == "role @Sky manager"


def test_a_typed_message_is_stored_as_slack_stores_it() -> None:
    assert message_text("a < b && <@UKIWI> @Sky") == "a &lt; b &amp;&amp; &lt;@UKIWI&gt; <@USKY|sky>"


def test_emoji_shortcodes_the_app_and_slack_use_are_known() -> None:
    table = shortcodes()
    assert table["wastebasket"] == "🗑️"
    assert table["white_check_mark"] == "✅"
    for name in ("tada", "+1", "thumbsup", "moneybag", "bar_chart", "warning", "x", "parrot", "coin"):
        assert name in table, name
