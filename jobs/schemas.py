"""`python -m jobs.schemas` (`make schemas`): write every event contract's JSON Schema to schemas/<name>/<version>.json.

The files are the schema registry other teams read; `--check` exits 1 when a file and its model differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot import requests as _requests  # noqa: F401  (registers the Slack request contracts, which bot/ owns)
from domains.kernel import contracts as _contracts  # noqa: F401  (registers every contract)
from domains.kernel.events import Event, Payload, contracts

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"


def event_schema(model: type[Payload]) -> dict[str, Any]:
    """The whole envelope of one (name, version), its `data` being the model's own schema."""
    envelope = Event.model_json_schema()["properties"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{model.NAME}/{model.VERSION}.json",
        "title": f"{model.NAME} v{model.VERSION}",
        "description": f"Published on the `{model.TOPIC}` stream.",
        "type": "object",
        "properties": {
            "event_id": envelope["event_id"],
            "event_name": {"const": model.NAME},
            "event_version": {"const": model.VERSION},
            "event_time": envelope["event_time"],
            "correlation_id": envelope["correlation_id"],
            "producer": envelope["producer"],
            "data": model.model_json_schema(),
        },
        "required": ["event_id", "event_name", "event_version", "event_time", "producer", "data"],
    }


def rendered() -> dict[Path, str]:
    """Every schema file as it should be, by its path relative to schemas/."""
    return {
        Path(name) / f"{version}.json": json.dumps(event_schema(model), indent=2, sort_keys=True) + "\n"
        for (name, version), model in sorted(contracts().items())
    }


def drift(root: Path = SCHEMAS_DIR) -> list[str]:
    """What differs between the models and the files under `root`: one line per file."""
    wanted = rendered()
    problems = [
        f"{path}: {'missing' if not (root / path).exists() else 'differs from its model'}"
        for path, text in wanted.items()
        if not (root / path).exists() or (root / path).read_text() != text
    ]
    problems += [
        f"{path.relative_to(root)}: no model has this (name, version)"
        for path in sorted(root.glob("*/*.json"))
        if path.relative_to(root) not in wanted
    ]
    return problems


def write(root: Path = SCHEMAS_DIR) -> list[Path]:
    """Write every schema file and remove those no model has any more; returns what was written."""
    wanted = rendered()
    for stale in root.glob("*/*.json"):
        if stale.relative_to(root) not in wanted:
            stale.unlink()
    for path, text in wanted.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return [root / path for path in wanted]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.schemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file differs")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift()
        for line in problems:
            print(line, file=sys.stderr)
        print(f"schemas: {'DRIFT' if problems else 'ok'} ({len(problems)} files differ)")
        return 1 if problems else 0
    written = write()
    print(f"schemas: wrote {len(written)} files under {SCHEMAS_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
