"""Importing a module defines things and does nothing else: no settings read, no thread, no file, no exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT_EVERYTHING = """
import importlib, pkgutil, threading
for package in ("bot", "domains", "jobs"):
    for module in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
        importlib.import_module(module.name)
print("imported; threads:", *sorted(thread.name for thread in threading.enumerate()))
"""


def test_every_module_imports_with_no_settings_and_starts_nothing(tmp_path: Path) -> None:
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(ROOT)}  # no SLACK_, DATABASE_URL…
    env["ATES_TIMEZONE"] = "Nowhere/Atlantis"  # a module that read the settings at import would stop here
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert (run.returncode, run.stderr) == (0, "")  # no exit, no log line, no warning
    assert run.stdout == "imported; threads: MainThread\n"
    assert list(cwd.iterdir()) == []  # no data directory, no schedule file
