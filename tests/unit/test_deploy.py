"""The deploy recipe (deploy/): what can be checked without a container daemon."""

from __future__ import annotations

import importlib.util
import shlex
from itertools import dropwhile
from pathlib import Path
from typing import Any

import yaml

from jobs.groups import NAMES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def procfile_lines() -> dict[str, list[str]]:
    """Each process's line, split into words."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name.strip(): shlex.split(command) for name, _, command in (line.partition(":") for line in lines) if name}


def procfile() -> dict[str, list[str]]:
    """Each process's command, without the environment assignments before it (compose sets those itself)."""
    return {name: list(dropwhile(lambda word: "=" in word, argv)) for name, argv in procfile_lines().items()}


def groups_joined(commands: dict[str, list[str]]) -> dict[str, str]:
    """Each process that is a consumer group's member (`python -m jobs.consumers <group>`), and its group."""
    member = ["python", "-m", "jobs.consumers"]
    return {name: argv[-1] for name, argv in commands.items() if argv[:3] == member}


def compose_services() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"])


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [(word.upper(), rest.strip()) for word, _, rest in (line.partition(" ") for line in lines)]


def assert_entry_point_exists(argv: list[str]) -> None:
    """`python x.py`, `python -m package.module` or the `ates` script: the code it runs is in this repository."""
    if argv[0] == "ates":
        assert importlib.util.find_spec("jobs.cli") is not None
        return
    assert argv[0] == "python", argv
    if argv[1] == "-m":
        spec = importlib.util.find_spec(argv[2])
        assert spec is not None and spec.origin is not None, argv
        assert Path(spec.origin).is_relative_to(ROOT), argv
    else:
        assert (ROOT / argv[1]).is_file(), argv


def test_compose_runs_every_procfile_process_with_its_command_a_health_check_and_a_replica_count() -> None:
    services = compose_services()
    for name, command in procfile().items():
        service = services[name]
        assert service["command"] == command, name
        assert service["healthcheck"]["test"][:2] == ["CMD", "python"], name
        assert_entry_point_exists(service["healthcheck"]["test"][1:])
        assert service["deploy"]["replicas"] >= 1, name
        probe = service["healthcheck"]["test"][-1]
        port = "3000" if name == "web" else service["environment"]["ATES_METRICS_PORT"]
        assert probe == f"http://127.0.0.1:{port}/readyz", name
    assert services["beat"]["deploy"]["replicas"] == 1  # two beats would queue every close twice


def test_the_procfile_and_compose_run_every_consumer_group_once_under_its_own_name_and_no_other() -> None:
    compose = {name: service.get("command", []) for name, service in compose_services().items()}
    for commands in (procfile(), compose):
        joined = groups_joined(commands)
        assert sorted(joined.values()) == sorted(NAMES)  # a group missing, twice, or one that does not exist fails
        assert all(process == group for process, group in joined.items())


def test_every_procfile_process_but_the_gateway_serves_its_metrics_on_its_port() -> None:
    for name, argv in procfile_lines().items():
        assert ("ATES_METRICS_PORT=$PORT" in argv) == (name != "web"), name


def test_prometheus_scrapes_every_procfile_process_on_the_port_honcho_gives_it() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    scraped = {target["labels"]["process"]: target["targets"] for target in job["static_configs"]}
    assert scraped == {name: [f"127.0.0.1:{5000 + 100 * n}"] for n, name in enumerate(procfile())}


def test_compose_redis_writes_every_command_to_disk_before_answering() -> None:
    command = compose_services()["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "always"
    assert "postgres" in compose_services()


def test_every_entry_point_exists() -> None:
    services = compose_services()
    for argv in [*procfile().values(), services["migrate"]["command"]]:
        assert_entry_point_exists(argv)


def test_the_dockerfile_is_slim_runs_as_a_user_and_starts_the_gateway() -> None:
    instructions = dockerfile_instructions()
    [base] = [rest for word, rest in instructions if word == "FROM"]
    assert base.endswith("-slim")
    users = [rest for word, rest in instructions if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    [cmd] = [rest for word, rest in instructions if word == "CMD"]
    assert yaml.safe_load(cmd) == procfile()["web"]
    for word, rest in instructions:
        if word == "COPY" and not rest.startswith("--from"):
            sources = shlex.split(rest)[:-1]
            assert all((ROOT / source).exists() for source in sources), rest
