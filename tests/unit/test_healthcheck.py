"""`python -m jobs.healthcheck URL`, the containers' health check: 0 when the URL answers 200, 1 otherwise."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from jobs.healthcheck import main
from tests.e2e.harness import free_port


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0)


class Answering(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_url_is_healthy_only_when_it_answers_200() -> None:
    server = HTTPServer(("127.0.0.1", 0), Answering)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert exit_code([f"http://127.0.0.1:{server.server_port}/healthz"]) == 0
        assert exit_code([f"http://127.0.0.1:{server.server_port}/readyz"]) == 1
    finally:
        server.shutdown()
        server.server_close()
    assert exit_code([f"http://127.0.0.1:{free_port()}/healthz"]) == 1
