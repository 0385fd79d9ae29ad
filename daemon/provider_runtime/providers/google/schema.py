"""JSON Schema -> the subset Gemini enforces (pure): each keyword dropped or rewritten is reported
with its JSON path, one warning code per condition (protocol.md §9 ``schema.*``).

Gemini takes JSON Schema in ``parametersJsonSchema`` and ``responseJsonSchema``
(https://ai.google.dev/gemini-api/docs/structured-output#json-schema) but enforces only the
keywords listed below (those Google documents, plus the fields of its own ``Schema`` object in
the API reference); others are ignored or rejected, so a schema would silently promise more than
the model is held to. Converting here makes that visible instead.
"""

from __future__ import annotations

from typing import Any

from ...core.types import ProviderRuntimeWarning
from ..warnings import warning

__all__ = ["SUPPORTED_KEYWORDS", "convert_schema"]

SUPPORTED_KEYWORDS = frozenset(
    {
        "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description",
        "enum", "items", "prefixItems", "minItems", "maxItems", "minimum", "maximum",
        "anyOf", "properties", "additionalProperties", "required", "propertyOrdering",
        "nullable", "minLength", "maxLength", "pattern", "minProperties", "maxProperties",
        "default", "example",
    }
)  # fmt: skip
_SCHEMA_MAPS = ("properties", "$defs")  # name -> subschema
_SCHEMA_LISTS = ("anyOf", "prefixItems")  # [subschema, ...]
_SCHEMA_VALUES = ("items", "additionalProperties")  # one subschema (or a boolean)

Warnings = list[ProviderRuntimeWarning]


def convert_schema(schema: dict[str, Any], *, where: str) -> tuple[dict[str, Any], Warnings]:
    """``schema`` with every keyword Gemini does not enforce dropped, and ``oneOf`` (Gemini reads
    it as ``anyOf``), ``const`` (one-value ``enum``) and ``definitions`` (``$defs``, refs
    following) rewritten. ``where`` names the schema in the warnings (``tools[NAME].parameters``).
    """
    warnings: Warnings = []
    converted = _node(schema, "$", where, warnings)
    assert isinstance(converted, dict)
    return converted, warnings


def _node(node: Any, path: str, where: str, warnings: Warnings) -> Any:
    if not isinstance(node, dict):
        return node  # `true`/`false` schemas and malformed values pass as they are
    out: dict[str, Any] = {}
    for key, value in _rewrite(node, path, where, warnings).items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {
                name: _node(sub, f"{path}.{key}.{name}", where, warnings)
                for name, sub in value.items()
            }
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [
                _node(sub, f"{path}.{key}[{i}]", where, warnings) for i, sub in enumerate(value)
            ]
        elif key in _SCHEMA_VALUES:
            out[key] = _node(value, f"{path}.{key}", where, warnings)
        elif key in SUPPORTED_KEYWORDS:
            out[key] = _refs(value) if key == "$ref" else value
        else:
            warnings.append(
                warning(
                    "schema.keyword_dropped",
                    f"Gemini does not enforce the JSON Schema keyword `{key}` "
                    f"(at {path} of {where}); it was not sent",
                    where=where,
                    keyword=key,
                    path=path,
                )
            )
    return out


def _rewrite(node: dict[str, Any], path: str, where: str, warnings: Warnings) -> dict[str, Any]:
    """The node with ``oneOf``, ``const`` and ``definitions`` in the form Gemini reads."""
    out = dict(node)
    rewrites = (("oneOf", "anyOf"), ("const", "enum"), ("definitions", "$defs"))
    for old, new in rewrites:
        if old not in out or new in out:
            continue  # absent, or both present: the old one is dropped as unsupported
        value = out.pop(old)
        out[new] = [value] if old == "const" else value
        warnings.append(
            warning(
                "schema.keyword_rewritten",
                f"the JSON Schema keyword `{old}` (at {path} of {where}) was sent as `{new}`, "
                "the form Gemini enforces",
                where=where,
                keyword=old,
                path=path,
                sent=new,
            )
        )
    return out


def _refs(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("#/definitions/"):
        return "#/$defs/" + value.removeprefix("#/definitions/")
    return value
