"""The alert rules: Prometheus' own checker accepts them, and its rule tests show when each one fires."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"


def promtool(*args: str) -> str:
    binary = shutil.which("promtool")
    assert binary, "promtool is missing: `make prometheus` (part of `make test`) installs Debian's prometheus"
    done = subprocess.run([binary, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_promtool_accepts_the_alert_rules() -> None:
    assert "SUCCESS: 5 rules found" in promtool("check", "rules", "alerts.yml")


def test_each_alert_fires_when_it_should_and_not_before() -> None:
    assert "SUCCESS" in promtool("test", "rules", "alerts_test.yml")


def test_the_example_scrape_config_is_valid_and_scrapes_every_procfile_process() -> None:
    promtool("check", "config", "prometheus.yml")
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    targets = [target for job in config["scrape_configs"] for target in job["static_configs"]]
    procfile = [line.partition(":")[0] for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    assert [target["labels"]["process"] for target in targets] == procfile
    # honcho's $PORT: 5000 for the first Procfile line, 100 more for each next one
    assert [target["targets"] for target in targets] == [[f"127.0.0.1:{5000 + 100 * n}"] for n in range(len(procfile))]


def test_every_procfile_process_but_the_gateway_serves_metrics_on_its_honcho_port() -> None:
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert lines.pop("web") == "python app.py"
    assert all(command.startswith("ATES_METRICS_PORT=$PORT python -m jobs.") for command in lines.values())
