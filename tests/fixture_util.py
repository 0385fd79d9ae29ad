"""Golden fixture helpers: find case directories, load them, compare or rewrite expectations.

A case is a directory tests/fixtures/<provider>/<case>/ holding JSON files. With
UPDATE_FIXTURES=1 in the environment, ``assert_matches_or_update`` writes what the code produced
into the expected file instead of comparing, so the change can be reviewed with ``git diff``.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import msgspec

__all__ = ["FIXTURES_DIR", "assert_matches_or_update", "fixture_cases", "load_json", "updating"]

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


def updating() -> bool:
    """Whether expectations are being rewritten (UPDATE_FIXTURES=1)."""
    return os.environ.get("UPDATE_FIXTURES", "") == "1"


def fixture_cases(provider: str) -> list[Path]:
    """Every case directory of ``provider``, sorted by name (stable test ids)."""
    root = FIXTURES_DIR / provider
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _normalize(value: Any) -> Any:
    """Plain JSON values: Structs, Decimals and tuples become what a JSON file would hold."""
    return json.loads(msgspec.json.encode(value))


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def assert_matches_or_update(path: Path, actual: Any) -> None:
    """Assert ``actual`` equals the JSON in ``path``; with UPDATE_FIXTURES=1 write it instead."""
    actual = _normalize(actual)
    if updating():
        if not path.exists() or load_json(path) != actual:
            path.write_text(_dump(actual), encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(f"{path} is missing; run with UPDATE_FIXTURES=1 to create it")
    expected = load_json(path)
    if expected != actual:
        diff = "".join(
            difflib.unified_diff(
                _dump(expected).splitlines(keepends=True),
                _dump(actual).splitlines(keepends=True),
                fromfile=f"{path} (expected)",
                tofile="actual",
            )
        )
        raise AssertionError(f"{path.name} does not match:\n{diff}")
