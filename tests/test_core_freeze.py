"""Freeze gate for ``provider_runtime.core``: names, Struct fields, tags, enum values, and the
JSON-RPC code of each error kind (kept by ``server/errors.py``, the only layer speaking JSON-RPC).

The snapshot lives in ``tests/fixtures/core_freeze.json``. Adding is fine; removing or renaming
fails. After a deliberate, additive change, refresh it with ``python -m tests.test_core_freeze``
and add a line to its ``notes`` saying why (the refresh keeps the notes).
"""

from __future__ import annotations

import copy
import inspect
import json
import sys
import typing
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import msgspec
import pytest

from provider_runtime import core
from provider_runtime.server.errors import ERROR_CODES

SNAPSHOT = Path(__file__).parent / "fixtures" / "core_freeze.json"


def _literal_values(annotation: Any) -> list[str] | None:
    """The values of a ``Literal[...]`` field type (also inside ``X | None``), else None."""
    if typing.get_origin(annotation) is Literal:
        return [str(v) for v in typing.get_args(annotation)]
    for arg in typing.get_args(annotation):
        values = _literal_values(arg)
        if values is not None:
            return values
    return None


def current() -> dict[str, Any]:
    """The frozen surface of ``core`` as it is now."""
    structs: dict[str, Any] = {}
    enums: dict[str, list[str]] = {}
    literals: dict[str, list[str]] = {}
    protocols: dict[str, list[str]] = {}
    for name in core.__all__:
        obj = getattr(core, name)
        if isinstance(obj, type) and issubclass(obj, msgspec.Struct):
            info = msgspec.structs.fields(obj)
            hints = typing.get_type_hints(obj)
            for f in info:
                values = _literal_values(hints[f.name])
                if values is not None:
                    literals[f"{name}.{f.encode_name}"] = values
            structs[name] = {
                "fields": [f.encode_name for f in info],
                "required": sorted(f.encode_name for f in info if f.required),
                "tag": obj.__struct_config__.tag,
            }
        elif isinstance(obj, type) and issubclass(obj, Enum):
            enums[name] = [str(m.value) for m in obj]
        elif getattr(obj, "_is_protocol", False):
            protocols[name] = sorted(m for m, _ in inspect.getmembers(obj) if not m.startswith("_"))
    return {
        "names": sorted(core.__all__),
        "structs": structs,
        "enums": enums,
        "literals": literals,
        "protocols": protocols,
        "error_codes": {k.value: code for k, code in ERROR_CODES.items()},
    }


def breaking_changes(frozen: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Everything in ``frozen`` that ``now`` lost or changed incompatibly."""
    problems = [f"name `{n}` is gone" for n in frozen["names"] if n not in now["names"]]
    for name, old in frozen["structs"].items():
        new = now["structs"].get(name)
        if new is None:
            problems.append(f"struct `{name}` is gone")
            continue
        problems += [f"field `{name}.{f}` is gone" for f in old["fields"] if f not in new["fields"]]
        problems += [
            f"field `{name}.{f}` became required"
            for f in new["required"]
            if f not in old["required"]
        ]
        if new["tag"] != old["tag"]:
            problems.append(f"tag of `{name}` changed from {old['tag']!r} to {new['tag']!r}")
    for name, values in frozen["enums"].items():
        have = now["enums"].get(name, [])
        problems += [f"value `{name}.{v}` is gone" for v in values if v not in have]
    for name, values in frozen.get("literals", {}).items():
        have = now["literals"].get(name, [])
        problems += [f"value `{name}` = {v!r} is gone" for v in values if v not in have]
    for name, members in frozen["protocols"].items():
        have = now["protocols"].get(name, [])
        problems += [f"member `{name}.{m}` is gone" for m in members if m not in have]
    for kind, code in frozen["error_codes"].items():
        if now["error_codes"].get(kind) != code:
            problems.append(f"error code of `{kind}` changed or is gone (was {code})")
    return problems


def load_snapshot() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SNAPSHOT.read_text())
    return data


def test_core_keeps_its_frozen_surface() -> None:
    problems = breaking_changes(load_snapshot(), current())
    assert problems == []


def test_snapshot_covers_the_documented_core() -> None:
    frozen = load_snapshot()
    for name in (
        "ProviderRequest",
        "ProviderResponse",
        "Message",
        "Usage",
        "CostBreakdown",
        "ModelInfo",
    ):
        assert name in frozen["structs"]
    assert {"ProviderAdapter", "TokenProvider"} <= set(frozen["protocols"])
    assert frozen["protocols"]["ProviderAdapter"] == [
        "capabilities",
        "discover_models",
        "id",
        "run",
    ]
    assert {"MessageRole", "FinishReason", "ErrorKind", "PricingSource"} <= set(frozen["enums"])
    assert frozen["structs"]["TextPart"]["tag"] == "text"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda s: s["names"].append("Vanished"), "name `Vanished` is gone"),
        (
            lambda s: s["structs"]["Usage"]["fields"].append("input_tokenz"),
            "field `Usage.input_tokenz` is gone",
        ),
        (
            lambda s: s["structs"]["Message"]["required"].remove("content"),
            "`Message.content` became required",
        ),
        (
            lambda s: s["structs"].__setitem__("Gone", {"fields": [], "required": [], "tag": None}),
            "struct `Gone`",
        ),
        (
            lambda s: s["structs"]["ToolCall"].__setitem__("tag", "call"),
            "tag of `ToolCall` changed",
        ),
        (
            lambda s: s["enums"]["FinishReason"].append("halted"),
            "value `FinishReason.halted` is gone",
        ),
        (
            lambda s: s["protocols"]["TokenProvider"].append("refresh"),
            "member `TokenProvider.refresh`",
        ),
        (lambda s: s["error_codes"].__setitem__("config", -1), "error code of `config` changed"),
        (
            lambda s: s["literals"]["ReasoningConfig.effort"].append("ultra"),
            "value `ReasoningConfig.effort` = 'ultra' is gone",
        ),
    ],
)
def test_the_gate_catches_each_kind_of_break(mutate: Any, expected: str) -> None:
    frozen = copy.deepcopy(current())
    assert breaking_changes(frozen, current()) == []
    mutate(frozen)
    problems = breaking_changes(frozen, current())
    assert len(problems) == 1
    assert expected in problems[0]


def test_adding_is_fine() -> None:
    now = current()
    smaller = copy.deepcopy(now)
    smaller["names"].pop()
    smaller["structs"]["Usage"]["fields"].pop()
    smaller["enums"]["FinishReason"].pop()
    assert breaking_changes(smaller, now) == []


def test_every_addition_to_the_snapshot_is_explained() -> None:
    notes = load_snapshot().get("notes", [])
    assert all(isinstance(n, str) and n for n in notes)
    assert any("rate_limit" in n for n in notes)


if __name__ == "__main__":
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    # `notes` say why each deliberate change was made; a refresh keeps them.
    notes = load_snapshot().get("notes", []) if SNAPSHOT.exists() else []
    SNAPSHOT.write_text(json.dumps({**current(), "notes": notes}, indent=2, sort_keys=True) + "\n")
    sys.stdout.write(f"wrote {SNAPSHOT}\n")
