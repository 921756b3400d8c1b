"""The Bolt app served in-process over real HTTP, for tests that need signed requests but no processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.gateway import build_app, wsgi
from bot.services import Services
from bot.slack_client import make_client


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve_gateway(services: Services) -> Iterator[str]:
    """Yields the URL of /slack/events for an app built from `services`."""
    app = build_app(services, make_client(services.settings))
    server = make_server("127.0.0.1", 0, wsgi(app), server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    finally:
        server.shutdown()
        server.server_close()
