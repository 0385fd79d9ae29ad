"""The repository's own spec copies: present, self-contained, and trimmed by a rule that holds."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import openapi

ROOT = Path(__file__).resolve().parents[1]


def _trim_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trim_specs", ROOT / "scripts" / "trim_specs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TRIM = _trim_script()


def _all_refs(node: Any) -> set[str]:
    return set(TRIM._refs(node))


def test_every_copy_the_script_writes_is_in_the_repository_and_its_readme() -> None:
    readme = (openapi.SPECS_DIR / "README.md").read_text(encoding="utf-8")
    names = [name for name, _, _ in TRIM.SPECS.values()] + [TRIM.BEDROCK[1]]
    for name in names:
        assert (openapi.SPECS_DIR / name).is_file(), name
        assert f"`{name}`" in readme, f"tests/specs/README.md does not say where {name} came from"
    assert set(openapi.SPEC_FILES.values()) <= set(names)


def test_the_specs_live_inside_the_repository() -> None:
    assert openapi.SPECS_DIR.resolve().is_relative_to(ROOT)


@pytest.mark.parametrize("name", sorted(openapi.SPEC_FILES))
def test_each_openapi_copy_resolves_every_reference_and_keeps_its_endpoints(name: str) -> None:
    spec = openapi.load_spec(name)
    for ref in _all_refs(spec):
        _, _, section, key = ref.split("/", 3)
        assert key in spec["components"][section], f"{name}: dangling {ref}"
    upstream = next(u for u, (copy, _, _) in TRIM.SPECS.items() if copy == openapi.SPEC_FILES[name])
    _, paths, schemas = TRIM.SPECS[upstream]
    assert set(spec["paths"]) == set(paths)
    assert set(schemas) <= set(spec["components"]["schemas"])


def test_bedrock_copy_reaches_every_shape_its_operations_name() -> None:
    model = json.loads((openapi.SPECS_DIR / TRIM.BEDROCK[1]).read_text(encoding="utf-8"))
    assert set(model["operations"]) == {"Converse", "CountTokens"}
    for shape in TRIM._shape_refs(model):
        assert shape in model["shapes"], shape
    assert "documentation" not in json.dumps(model)


def test_trimming_keeps_the_transitive_closure_and_nothing_else() -> None:
    ref = "#/components/schemas/"
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t"},
        "paths": {
            "/a": {"post": {"requestBody": {"$ref": "#/components/requestBodies/A"}}},
            "/b": {"get": {"responses": {"200": {"$ref": ref + "Unused"}}}},
        },
        "components": {
            "requestBodies": {
                "A": {"content": {"application/json": {"schema": {"$ref": ref + "X"}}}}
            },
            "schemas": {
                "X": {"properties": {"y": {"$ref": ref + "Y"}}},
                "Y": {"items": {"anyOf": [{"$ref": ref + "X"}, {"$ref": ref + "Z"}]}},
                "Z": {"type": "string"},
                "Unused": {"type": "integer"},
                "Named": {"$ref": ref + "Z"},
            },
        },
    }
    trimmed = TRIM.trim_openapi(spec, ["/a"], ["Named"])
    assert list(trimmed["paths"]) == ["/a"]
    assert sorted(trimmed["components"]["schemas"]) == ["Named", "X", "Y", "Z"]
    assert list(trimmed["components"]["requestBodies"]) == ["A"]
    with pytest.raises(SystemExit, match="no path"):
        TRIM.trim_openapi(spec, ["/missing"], [])


def test_a_missing_copy_fails_with_the_fix_rather_than_skipping(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    openapi.load_spec.cache_clear()
    monkeypatch.setattr(openapi, "SPECS_DIR", tmp_path)
    try:
        with pytest.raises(AssertionError, match=r"scripts/trim_specs\.py"):
            openapi.load_spec("openai")
    finally:
        openapi.load_spec.cache_clear()
