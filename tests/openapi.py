"""Validate JSON bodies against the providers' official OpenAPI documents in tests/specs/.

Test-only: the runtime never reads these files. ``validate(spec, schema_name, body)`` raises
``AssertionError`` listing every violation, with its JSON path. The copies are trimmed from the
upstream specs by ``scripts/trim_specs.py``; tests/specs/README.md says where each came from.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

SPECS_DIR = Path(__file__).resolve().parent / "specs"

SPEC_FILES = {
    "openai": "openai.json",
    "anthropic": "anthropic.json",
    "anthropic-2026-05": "anthropic-2026-05.json",
    "openrouter": "openrouter.json",
    "gemini": "gemini.json",
}


def _fix_nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` -> a JSON Schema that also admits null; a
    discriminated ``oneOf`` -> ``anyOf``."""
    if isinstance(node, list):
        return [_fix_nullable(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _fix_nullable(v) for k, v in node.items()}
    if "discriminator" in out and "oneOf" in out:
        # OpenAPI: the discriminator picks the one schema. JSON Schema's oneOf would instead
        # demand exactly one match, which overlapping members defeat (the Responses spec's
        # user message is both an EasyInputMessage and an InputMessage).
        out["anyOf"] = out.pop("oneOf")
    if out.pop("nullable", False) is True:
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
        elif isinstance(t, list):
            if "null" not in t:
                out["type"] = [*t, "null"]
        else:
            return {"anyOf": [out, {"type": "null"}]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


@functools.cache
def load_spec(name: str) -> dict[str, Any]:
    path = SPECS_DIR / SPEC_FILES[name]
    if not path.is_file():
        raise AssertionError(
            f"{path} is missing: the tests validate against the repository's own spec copies; "
            "restore it from git or re-create it with scripts/trim_specs.py"
        )
    spec = json.loads(path.read_text(encoding="utf-8"))
    fixed: dict[str, Any] = _fix_nullable(spec)
    return fixed


@functools.cache
def _validator(name: str, schema_name: str) -> jsonschema.protocols.Validator:
    spec = load_spec(name)
    if schema_name not in spec["components"]["schemas"]:
        raise KeyError(f"{name} spec has no schema {schema_name!r}")
    root = {k: v for k, v in spec.items() if k != "paths"}
    root["$ref"] = f"#/components/schemas/{schema_name}"
    cls = jsonschema.validators.validator_for(
        {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    )
    validator: jsonschema.protocols.Validator = cls(root)
    return validator


def request_schema_name(name: str, path: str, method: str = "post") -> str:
    """The component schema name of an endpoint's JSON request body."""
    body = load_spec(name)["paths"][path][method]["requestBody"]["content"]["application/json"]
    ref: str = body["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]


def validate(name: str, schema_name: str, body: Any) -> None:
    errors = sorted(_validator(name, schema_name).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        lines = [f"  at $.{'.'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors]
        raise AssertionError(f"body does not match {name} {schema_name}:\n" + "\n".join(lines))


def validate_request(name: str, path: str, body: Any, method: str = "post") -> None:
    validate(name, request_schema_name(name, path, method), body)
