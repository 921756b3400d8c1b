"""At start on the services runtime, aTES warns when Redis keeps nothing on disk (CONFIG GET appendonly)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from domains.kernel.redis_bus import connect, warn_unless_persistent
from tests.backbone import PrivateRedis
from tests.e2e.harness import free_port

WARNING = "Redis keeps nothing on disk"


def test_a_redis_without_an_append_only_file_gets_one_warning_and_one_with_it_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = PrivateRedis(tmp_path)  # its own, since the test changes its configuration
    server.start()
    client = connect(server.url)
    try:
        with caplog.at_level(logging.INFO, logger="domains.kernel.redis_bus"):
            assert warn_unless_persistent(client) is False
            assert WARNING not in caplog.text
            client.config_set("appendonly", "no")
            assert warn_unless_persistent(client) is True
        assert [r.levelno for r in caplog.records if WARNING in r.getMessage()] == [logging.WARNING]
        assert "appendonly yes and appendfsync always" in caplog.text
    finally:
        client.close()
        server.kill()


def test_an_unreachable_redis_is_not_a_reason_to_warn(caplog: pytest.LogCaptureFixture) -> None:
    client = connect(f"redis://127.0.0.1:{free_port()}/0", answering=True)
    with caplog.at_level(logging.INFO, logger="domains.kernel.redis_bus"):
        assert warn_unless_persistent(client) is False
    assert WARNING not in caplog.text and "could not read Redis' persistence setting" in caplog.text
