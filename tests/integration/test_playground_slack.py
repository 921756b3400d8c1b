"""The playground stands in for Slack in front of a small Bolt app: commands, modals, buttons, Home, files."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.playground.local import sync_and_seed
from bot.playground.workspace import GENERAL, PEOPLE
from domains.identity import handlers as identity
from domains.identity.commands import ChangeRole
from domains.identity.queries import get_user, list_users
from domains.kernel.db import make_engine, make_session_factory
from tests.e2e.harness import ROOT, eventually, playground_env
from tests.fakes.bolt_app import Heard, serve_small_app
from tests.fakes.playground import PlaygroundClient


@pytest.fixture
def served() -> Iterator[tuple[PlaygroundClient, Heard]]:
    with serve_small_app() as running:
        yield running


def texts(messages: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    return [(m["text"], m["ephemeral"]) for m in messages]


def test_a_command_reply_is_ephemeral_unless_in_channel(served: tuple[PlaygroundClient, Heard]) -> None:
    playground, _ = served
    assert playground.send("UKIWI", GENERAL, "/echo quiet")[0] == 200
    assert texts(playground.messages("UKIWI", GENERAL)) == [("echo quiet", True)]  # the command is not echoed
    playground.send("UKIWI", GENERAL, "/echo loud")
    # Slack shows the command beside an answer everyone sees
    assert texts(playground.messages("UMANGO", GENERAL)) == [("/echo loud", False), ("echo loud", False)]


def test_an_unknown_command_is_refused_before_the_app(served: tuple[PlaygroundClient, Heard]) -> None:
    playground, _ = served
    status, refusal = playground.send("UKIWI", GENERAL, "/foo bar")
    assert status == 400 and refusal["error"] == "/foo is not a valid command"
    assert playground.messages("UKIWI", GENERAL) == []
    assert playground.send("UKIWI", GENERAL, " /foo is a path")[0] == 200  # a leading space: a message
    assert texts(playground.messages("UMANGO", GENERAL)) == [("/foo is a path", False)]


def test_mentions_reach_the_app_escaped_only_for_commands_that_ask(served: tuple[PlaygroundClient, Heard]) -> None:
    playground, _ = served
    playground.send("UKIWI", GENERAL, "/whois @Sky in #general")
    playground.send("UKIWI", GENERAL, "/echo @Sky")
    answers = [text for text, _ in texts(playground.messages("UKIWI", GENERAL))]
    assert answers == ["whois <@USKY|sky> in <#CGENERAL|general>", "echo @Sky"]


def test_a_global_shortcut_reaches_the_app_and_opens_its_modal(served: tuple[PlaygroundClient, Heard]) -> None:
    playground, heard = served
    status, _ = playground.post("playground/shortcut", {"user": "UKIWI", "callback_id": "make_thing"})
    assert status == 200
    shortcut = heard.shortcuts[0]
    assert (shortcut["type"], shortcut["callback_id"], shortcut["user"]["id"]) == ("shortcut", "make_thing", "UKIWI")
    assert "channel" not in shortcut and "response_url" not in shortcut
    modal = eventually(lambda: playground.state("UKIWI")["modals"], lambda modals: len(modals) == 1)[0]
    assert modal["title"]["text"] == "New thing"


def test_a_message_shortcut_sends_the_message_and_answers_by_response_url(
    served: tuple[PlaygroundClient, Heard],
) -> None:
    playground, heard = served
    playground.send("UMANGO", GENERAL, "the <perch> & @Sky")
    said = playground.messages("UKIWI", GENERAL)[0]
    stored = "the &lt;perch&gt; &amp; <@USKY|sky>"  # as Slack stores a typed message
    assert said["text"] == stored
    body = {"user": "UKIWI", "callback_id": "quote", "channel": GENERAL, "ts": said["ts"]}
    assert playground.post("playground/shortcut", body)[0] == 200
    action = heard.shortcuts[0]
    assert (action["type"], action["callback_id"], action["channel"]["id"]) == ("message_action", "quote", GENERAL)
    assert action["message"] == {"type": "message", "user": "UMANGO", "ts": said["ts"], "text": stored}
    assert action["message_ts"] == said["ts"] and action["user"]["id"] == "UKIWI"
    quoted = eventually(lambda: playground.messages("UKIWI", GENERAL), lambda found: len(found) == 2)[1]
    assert (quoted["text"], quoted["ephemeral"]) == (f"Quoted: {stored}", True)


def test_shortcuts_the_app_does_not_offer_are_refused(served: tuple[PlaygroundClient, Heard]) -> None:
    playground, heard = served
    status, unknown = playground.post("playground/shortcut", {"user": "UKIWI", "callback_id": "nope"})
    assert status == 404 and unknown["error"] == "the app has no such shortcut"
    playground.send("UKIWI", GENERAL, "/echo quiet")
    ephemeral = playground.messages("UKIWI", GENERAL)[0]
    body = {"user": "UKIWI", "callback_id": "quote", "channel": GENERAL, "ts": ephemeral["ts"]}
    status, refused = playground.post("playground/shortcut", body)
    assert status == 409 and "only you can see" in refused["error"]
    assert heard.shortcuts == []


def test_the_page_learns_of_a_restart_from_the_instance(served: tuple[PlaygroundClient, Heard]) -> None:
    playground, _ = served
    seen = playground.state("UKIWI")
    same = f"playground/state?user=UKIWI&since={seen['version']}&instance={seen['instance']}"
    assert playground.get(same) == {"instance": seen["instance"], "version": seen["version"], "unchanged": True}
    # a tab that polled the last run has the same version number but another instance: it gets everything
    answer = playground.get(f"playground/state?user=UKIWI&since={seen['version']}&instance=last-run")
    assert answer["instance"] == seen["instance"] and "conversations" in answer
    assert {c["name"] for c in answer["commands"]} >= {"/echo", "/whois"}
    assert [s["callback_id"] for s in answer["shortcuts"]] == ["make_thing", "quote"]
    assert playground.get("playground/emoji.json")["wastebasket"] == "🗑️"


def test_a_modal_opens_refuses_bad_input_and_submits_its_values(served: tuple[PlaygroundClient, Heard]) -> None:
    playground, heard = served
    playground.send("UKIWI", GENERAL, "/form")
    modal = eventually(lambda: playground.state("UKIWI")["modals"], lambda modals: len(modals) == 1)[0]
    assert modal["title"]["text"] == "New thing"
    submit = {"user": "UKIWI", "view_id": modal["id"]}

    _, empty = playground.post("playground/submit", {**submit, "values": {"title": {"title": ""}}})
    assert empty["errors"] == {"title": "Please fill out this field."}
    _, refused = playground.post("playground/submit", {**submit, "values": {"title": {"title": "[x]"}}})
    assert refused["errors"] == {"title": "No brackets, please."}
    assert heard.submissions == []

    values = {"title": {"title": "Nest"}, "size": {"size": "big"}}
    _, done = playground.post("playground/submit", {**submit, "values": values})
    assert done == {"ok": True, "closed": True}
    assert heard.submissions[0]["title"]["title"] == {"type": "plain_text_input", "value": "Nest"}
    assert heard.submissions[0]["size"]["size"]["selected_option"]["value"] == "big"
    assert playground.state("UKIWI")["modals"] == []


def test_a_button_in_a_dm_reaches_the_app_and_its_reply_replaces_the_message(
    served: tuple[PlaygroundClient, Heard],
) -> None:
    playground, heard = served
    playground.send("UKIWI", GENERAL, "/pick")
    prompt = eventually(lambda: playground.messages("UKIWI", "DKIWI"), lambda found: len(found) == 1)[0]

    status, refusal = playground.click("UMANGO", "DKIWI", prompt, "pick")
    assert status == 409 and "someone else's DM" in refusal["error"]
    assert heard.clicks == []

    assert playground.click("UKIWI", "DKIWI", prompt, "pick")[0] == 200
    replaced = eventually(lambda: playground.messages("UKIWI", "DKIWI"), lambda found: found[0]["text"] != "Pick one")
    assert texts(replaced) == [("You picked red", False)]
    click = heard.clicks[0]
    assert click["message"]["ts"] == prompt["ts"] and click["channel"]["id"] == "DKIWI"
    assert click["user"]["id"] == "UKIWI" and click["actions"][0]["value"] == "red"


def test_opening_home_sends_app_home_opened_and_shows_the_published_view(
    served: tuple[PlaygroundClient, Heard],
) -> None:
    playground, heard = served
    assert playground.state("USKY")["home"] is None
    playground.post("playground/home", {"user": "USKY"})
    home = eventually(lambda: playground.state("USKY")["home"], lambda view: view is not None)
    assert home["blocks"][0]["block_id"] == "choose"
    assert playground.state("UKIWI")["home"] is None

    body = {"user": "USKY", "view_id": home["id"], "block_id": "choose", "action_id": "pick"}
    assert playground.post("playground/action", body)[0] == 200
    eventually(lambda: heard.clicks, lambda clicks: len(clicks) == 1)
    assert heard.clicks[0]["container"] == {"type": "view", "view_id": home["id"]}


def test_a_file_uploaded_with_files_upload_v2_is_posted_and_served(served: tuple[PlaygroundClient, Heard]) -> None:
    playground, _ = served
    playground.send("UKIWI", GENERAL, "/upload")
    posted = eventually(
        lambda: [m for m in playground.messages("UMANGO", GENERAL) if m["files"]], lambda found: len(found) == 1
    )[0]
    file = posted["files"][0]
    assert (file["name"], file["title"], file["size"]) == ("hello.txt", "Hello", 5)
    assert [c.method for c in playground.calls_to("files.completeUploadExternal")] == ["files.completeUploadExternal"]


def test_bad_requests_get_a_clear_answer_and_reach_no_app(served: tuple[PlaygroundClient, Heard]) -> None:
    playground, heard = served
    status, unknown = playground.send("UNOBODY", GENERAL, "/echo hi")
    assert status == 400 and "unknown user" in unknown["error"]
    status, empty = playground.send("UKIWI", GENERAL, "   ")
    assert status == 400 and "say something" in empty["error"]
    body = {"user": "UKIWI", "channel": GENERAL, "ts": "1.1", "block_id": "x", "action_id": "pick"}
    status, gone = playground.post("playground/action", body)
    assert status == 409 and gone["error"] == "that message is gone"
    status, closed = playground.post("playground/close-day", {"user": "UADA"})
    assert status == 501 and "not wired" in closed["error"]
    assert playground.calls_to("chat.postMessage") == [] and heard.clicks == []


def test_the_demo_workspace_gets_its_roles_once_when_new(served: tuple[PlaygroundClient, Heard], pg_url: str) -> None:
    playground, _ = served
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    client = WebClient(token="xoxb-test", base_url=playground.base_url + "playground/api/")
    try:
        sync_and_seed(client, sessions, frozenset())
        roles = {user.slack_id: user.role for user in list_users(sessions)}
        assert roles == {person.slack_id: person.role for person in PEOPLE}
        assert roles["UADA"] == "admin" and roles["UMAX"] == "manager" and roles["UACE"] == "accountant"

        identity.change_role(
            identity.unit_of_work(sessions), ChangeRole(user_id="UMAX", role="worker", changed_by="UADA")
        )
        sync_and_seed(client, sessions, frozenset())
        kept = get_user(sessions, "UMAX")
        assert kept is not None and kept.role == "worker"
    finally:
        engine.dispose()


def test_make_run_stops_with_a_clear_line_when_another_program_holds_the_port(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as other:
        port = int(other.getsockname()[1])
        env = {**playground_env(tmp_path / "var"), "PORT": str(port)}
        run = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert f"aTES: port {port} is taken by another program" in run.stderr
    assert f"PORT={port + 1} make run" in run.stderr
    assert not (tmp_path / "var").exists()  # it stopped before starting anything
