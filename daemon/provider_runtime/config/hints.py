"""Hints that name the fix: the valid keys of a table (closest first), an enum's valid values.

Pure helpers over msgspec's type information, shared by config validation and request decoding.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

import msgspec.inspect as mi

__all__ = ["closest_first", "did_you_mean", "fields_at", "literal_values_at", "suggest"]

_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def closest_first(word: str, choices: Sequence[str]) -> list[str]:
    """``choices`` ordered by similarity to ``word`` (ties keep their order)."""
    return sorted(choices, key=lambda c: -difflib.SequenceMatcher(None, word, c).ratio())


def did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    """The one choice close enough to ``word`` to be a likely typo, if any."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: str, choices: Sequence[str], what: str) -> str:
    """``: did you mean `x`? (valid <what>, closest first: `x`, `y`)``, to follow a problem."""
    guess = did_you_mean(word, choices)
    head = f": did you mean `{guess}`?" if guess else ""
    listed = ", ".join(f"`{c}`" for c in closest_first(word, choices))
    return f"{head} (valid {what}, closest first: {listed})"


def _struct_at(kind: Any, path: str) -> mi.Type | None:
    """The type found by following ``path`` (``.a.b[0].c``, msgspec's error paths) from ``kind``."""
    node: mi.Type | None = mi.type_info(kind)
    for name, _index in _SEGMENT.findall(path):
        node = _unwrap(node)
        if name:
            if not isinstance(node, mi.StructType):
                return None
            node = next((f.type for f in node.fields if f.encode_name == name), None)
        elif isinstance(node, mi.ListType):
            node = node.item_type
        else:
            return None
    return node


def _unwrap(node: mi.Type | None) -> mi.Type | None:
    """The one struct or list inside an optional type (``X | None``)."""
    if isinstance(node, mi.UnionType):
        inner = [t for t in node.types if isinstance(t, mi.StructType | mi.ListType)]
        return inner[0] if len(inner) == 1 else node
    return node


def fields_at(kind: Any, path: str) -> list[str] | None:
    """The keys of the table at ``path`` inside ``kind``, when it is a struct."""
    node = _unwrap(_struct_at(kind, path))
    if isinstance(node, mi.StructType):
        return [f.encode_name for f in node.fields]
    return None


def literal_values_at(kind: Any, path: str) -> list[str] | None:
    """The allowed values of the enum-like field at ``path`` inside ``kind``, if it is one."""
    node = _struct_at(kind, path)
    if isinstance(node, mi.UnionType):
        node = next((t for t in node.types if isinstance(t, mi.LiteralType | mi.EnumType)), None)
    if isinstance(node, mi.LiteralType):
        return [str(v) for v in node.values]
    if isinstance(node, mi.EnumType):
        return [str(member.value) for member in node.cls]
    return None
