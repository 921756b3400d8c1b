"""A small Bolt app with a modal, a button, an App Home and a file upload, served behind the playground."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from waitress.server import create_server

from bot.gateway import wsgi
from bot.playground.manifest import AppManifest, Command, Shortcut
from bot.playground.server import Playground
from tests.e2e.harness import free_port
from tests.fakes.playground import PlaygroundClient

SECRET = "playground-test-secret"
# What the small app declares, as manifest.yml does for aTES: /whois gets mentions escaped as Slack does.
MANIFEST = AppManifest(
    commands=(
        Command("/echo", "Say it back"),
        Command("/whois", "Who is that", usage_hint="@someone", should_escape=True),
        Command("/form", "Open a form"),
        Command("/pick", "Pick a colour"),
        Command("/upload", "Upload a file"),
        Command("/rich", "Answer in rich text"),
    ),
    shortcuts=(Shortcut("Make a thing", "global", "make_thing"), Shortcut("Quote it", "message", "quote")),
)
FORM_VIEW: dict[str, Any] = {
    "type": "modal",
    "callback_id": "form",
    "title": {"type": "plain_text", "text": "New thing"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "title"},
        },
        {
            "type": "input",
            "block_id": "size",
            "optional": True,
            "label": {"type": "plain_text", "text": "Size"},
            "element": {
                "type": "static_select",
                "action_id": "size",
                "options": [{"text": {"type": "plain_text", "text": "Big"}, "value": "big"}],
            },
        },
    ],
}
PICK_BLOCKS = [
    {
        "type": "actions",
        "block_id": "choose",
        "elements": [
            {"type": "button", "action_id": "pick", "value": "red", "text": {"type": "plain_text", "text": "Red"}}
        ],
    }
]

# Verbatim text as Slack shows rich_text: markup characters stay characters; only explicit styles format.
RICH_BLOCKS = [
    {
        "type": "rich_text",
        "block_id": "rich",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Title", "style": {"bold": True}},
                    {"type": "text", "text": " *x* _y_ get_user_id <!channel> https://example.com/a_b "},
                    {"type": "user", "user_id": "USKY"},
                    {"type": "emoji", "name": "tada"},
                ],
            }
        ],
    }
]


@dataclass
class Heard:
    submissions: list[dict[str, Any]] = field(default_factory=list)
    clicks: list[dict[str, Any]] = field(default_factory=list)
    shortcuts: list[dict[str, Any]] = field(default_factory=list)


def small_app(client: WebClient, heard: Heard) -> App:
    app = App(client=client, signing_secret=SECRET, token_verification_enabled=False)

    @app.command("/echo")
    def echo(ack: Ack, command: dict[str, str]) -> None:
        ack(response_type="in_channel" if command["text"] == "loud" else "ephemeral", text=f"echo {command['text']}")

    @app.command("/whois")
    def whois(ack: Ack, command: dict[str, str]) -> None:
        ack(text=f"whois {command['text']}")

    @app.shortcut("make_thing")
    def make_thing(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        heard.shortcuts.append(shortcut)
        client.views_open(trigger_id=shortcut["trigger_id"], view=FORM_VIEW)

    @app.shortcut("quote")
    def quote(ack: Ack, shortcut: dict[str, Any], respond: Respond) -> None:
        ack()
        heard.shortcuts.append(shortcut)
        respond(text=f"Quoted: {shortcut['message']['text']}")

    @app.command("/rich")
    def rich(ack: Ack) -> None:
        ack(text="Title *x*", blocks=RICH_BLOCKS)

    @app.command("/form")
    def form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=FORM_VIEW)

    @app.view("form")
    def submitted(ack: Ack, view: dict[str, Any]) -> None:
        title = view["state"]["values"]["title"]["title"]["value"]
        if "[" in title:
            ack(response_action="errors", errors={"title": "No brackets, please."})
            return
        ack()
        heard.submissions.append(view["state"]["values"])

    @app.command("/pick")
    def pick_prompt(ack: Ack, respond: Respond, context: BoltContext, client: WebClient) -> None:
        ack()
        client.chat_postMessage(channel=context.user_id or "", text="Pick one", blocks=PICK_BLOCKS)

    @app.action("pick")
    def picked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        heard.clicks.append(body)
        respond(replace_original=True, text=f"You picked {body['actions'][0]['value']}")

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": PICK_BLOCKS})

    @app.command("/upload")
    def upload(ack: Ack, command: dict[str, str], client: WebClient) -> None:
        ack()
        client.files_upload_v2(channel=command["channel_id"], content="hello", filename="hello.txt", title="Hello")

    return app


@contextmanager
def serve_small_app() -> Iterator[tuple[PlaygroundClient, Heard]]:
    """The small app and the playground on one waitress server on a free port, as app.py serves them."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    playground = Playground(base_url=base, events_url=base + "slack/events", signing_secret=SECRET, manifest=MANIFEST)
    heard = Heard()
    client = WebClient(token="xoxb-test", base_url=base + "playground/api/")
    server = create_server(playground.mount(wsgi(small_app(client, heard))), host="127.0.0.1", port=port, threads=8)
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):  # waitress's loop trips over its own sockets closing under it
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield PlaygroundClient(base), heard
    finally:
        stopping.set()
        server.close()
        thread.join(timeout=5)
