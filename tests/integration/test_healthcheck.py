"""`python -m jobs.healthcheck`, the containers' health check: 0 when PostgreSQL and Redis answer (or a URL
answers 200), 1 otherwise."""

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


def test_healthy_when_the_database_and_redis_answer(
    pg_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert exit_code([]) == 0
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    assert exit_code([]) == 1
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{free_port()}/ates")
    assert exit_code([]) == 1


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
