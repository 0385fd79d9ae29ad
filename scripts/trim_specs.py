"""Copy the providers' official API specs into tests/specs/, trimmed to what the tests validate.

Usage: ``python scripts/trim_specs.py SOURCE_DIR``: a folder holding the upstream files named in
SPECS (the team keeps current full copies in a ``shared/specs`` folder beside the checkout).

Each spec keeps the listed endpoints (every method, parameter and response of each) and named
schemas, plus everything they reference, transitively; all else is dropped. For the Bedrock
service model (botocore's JSON, not OpenAPI) the listed operations and the shapes they reach are
kept, in the form botocore's own loader reads. Output is sorted JSON, so a re-run on the same
input gives the same bytes and a newer upstream shows as a reviewable diff. Record the upstream
commit or date in tests/specs/README.md when you refresh a copy.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "tests" / "specs"

# upstream file -> (copy's name, endpoints kept, extra component schemas kept)
SPECS: dict[str, tuple[str, list[str], list[str]]] = {
    "openai-openapi.yaml": (
        "openai.json",
        ["/chat/completions", "/models", "/responses", "/responses/input_tokens"],
        ["CreateChatCompletionResponse", "ListModelsResponse", "ErrorResponse", "Response"],
    ),
    "anthropic-openapi.stainless.json": (
        "anthropic.json",
        ["/v1/messages", "/v1/models", "/v1/messages/count_tokens"],
        ["Message", "BetaMessage", "ErrorResponse", "ListResponse_ModelInfo_"],
    ),
    "anthropic-openapi.2026-05.json": (
        "anthropic-2026-05.json",
        ["/v1/messages", "/v1/models", "/v1/messages/count_tokens"],
        ["Message", "ErrorResponse"],
    ),
    "openrouter-openapi.yaml": (
        "openrouter.json",
        ["/chat/completions", "/models"],
        ["ChatResult", "ModelsListResponse"],
    ),
    "gemini-openapi.json": (
        "gemini.json",
        [
            "/v1beta/models/{model}:generateContent",
            "/v1beta/models/{model}:countTokens",
            "/v1beta/models",
            "/v1beta/models/{model}",
        ],
        ["GenerateContentResponse", "Status"],
    ),
}
BEDROCK = ("bedrock-runtime-service-2.json", "bedrock-runtime.json", ["Converse", "CountTokens"])


def _refs(node: Any) -> Iterator[str]:
    """Every ``#/components/...`` reference below ``node``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def trim_openapi(spec: dict[str, Any], paths: list[str], schemas: list[str]) -> dict[str, Any]:
    """The spec with only ``paths``, ``schemas`` and the components they reach."""
    missing = [p for p in paths if p not in spec["paths"]]
    if missing:
        raise SystemExit(f"trim_specs: the spec has no path {missing}")
    kept_paths = {p: spec["paths"][p] for p in paths}
    todo = [f"#/components/schemas/{name}" for name in schemas]
    todo += list(_refs(kept_paths))
    components: dict[str, dict[str, Any]] = {}
    while todo:
        ref = todo.pop()
        _, _, section, name = ref.split("/", 3)
        if name in components.get(section, {}):
            continue
        try:
            node = spec["components"][section][name]
        except KeyError:
            raise SystemExit(f"trim_specs: unresolved reference {ref}") from None
        components.setdefault(section, {})[name] = node
        todo.extend(_refs(node))
    head = {k: spec[k] for k in ("openapi", "info", "servers", "security") if k in spec}
    return {**head, "paths": kept_paths, "components": components}


def _shape_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("shape"), str):
            yield node["shape"]
        for value in node.values():
            yield from _shape_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _shape_refs(value)


def _strip_docs(node: Any) -> Any:
    """Drop botocore ``documentation`` strings: they are most of the file and no test reads them."""
    if isinstance(node, dict):
        return {k: _strip_docs(v) for k, v in node.items() if k != "documentation"}
    if isinstance(node, list):
        return [_strip_docs(v) for v in node]
    return node


def trim_botocore(model: dict[str, Any], operations: list[str]) -> dict[str, Any]:
    """The service model with only ``operations`` and the shapes they reach."""
    ops = {name: model["operations"][name] for name in operations}
    todo = list(_shape_refs(ops))
    shapes: dict[str, Any] = {}
    while todo:
        name = todo.pop()
        if name in shapes:
            continue
        shapes[name] = model["shapes"][name]
        todo.extend(_shape_refs(shapes[name]))
    trimmed = {"version": model["version"], "metadata": model["metadata"]}
    return _strip_docs({**trimmed, "operations": ops, "shapes": shapes})


def _load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        loaded: dict[str, Any] = json.loads(text)
        return loaded
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded = yaml.load(text, Loader=loader)
    return loaded


def _write(name: str, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (TARGET / name).write_text(text, encoding="utf-8")
    print(f"tests/specs/{name}: {len(text):,} bytes")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not Path(argv[1]).is_dir():
        print(
            "usage: trim_specs.py SOURCE_DIR  (the folder of upstream spec files)", file=sys.stderr
        )
        return 2
    source = Path(argv[1])
    TARGET.mkdir(parents=True, exist_ok=True)
    for upstream, (name, paths, schemas) in SPECS.items():
        _write(name, trim_openapi(_load(source / upstream), paths, schemas))
    upstream, name, operations = BEDROCK
    _write(name, trim_botocore(_load(source / upstream), operations))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
