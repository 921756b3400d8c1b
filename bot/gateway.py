"""The Bolt app: built once from the services, served over HTTP or Socket Mode."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.ack_metrics import MeteredApp
from bot.listeners import register_listeners
from bot.services import Services
from bot.slack_client import use_in_every_request

# Listeners run in the request's own thread and the answer leaves when they return (no polling for the ack);
# work that may take long (a shuffle) is a lazy listener, run in one of these threads after the answer.
LISTENER_THREADS = 16


def build_app(services: Services, client: WebClient) -> App:
    app = MeteredApp(
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
        client=client,
        signing_secret=services.settings.signing_secret,
        token_verification_enabled=services.settings.slack_bot_token is not None,
        request_verification_enabled=True,
        process_before_response=True,
    )
    use_in_every_request(app, client)
    register_listeners(app, services)
    return app


def wsgi(app: App) -> Any:
    """A WSGI application: Slack's requests at /slack/events, a health check at /healthz."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        return slack(environ, start_response)

    return application
