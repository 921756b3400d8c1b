"""No function in domains/ or bot/ is longer than 40 lines (its `def` line to its last, docstring included)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LONGEST = 40


def long_functions(package: str) -> list[str]:
    """Each function of the package over LONGEST lines, as `path:line name (n lines)`."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > LONGEST:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_in_bot_is_over_40_lines() -> None:
    assert long_functions("bot") == []


def test_no_function_in_domains_is_over_40_lines() -> None:
    assert long_functions("domains") == []
