"""Tool-call ids that fit the target: kept when they already fit, else sanitized or hashed.

Deterministic (sha256 of the old id and its occurrence number) and collision-free across the
whole conversation, so a second normalization keeps every id it produced.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..core.errors import ConfigError
from ..core.types import ProviderCapabilities

__all__ = ["IdAssignment", "assign_tool_call_ids", "id_fits"]

_SAFE = re.compile(r"[^A-Za-z0-9_-]")
_HASH_LENGTH = 24  # hex digits: 96 bits, ample for ids that only need to be unique per conversation
_MAX_ATTEMPTS = 32


@dataclass(frozen=True, slots=True)
class IdAssignment:
    """The id a call gets; ``reason`` is empty when the id is kept, ``fits`` False if none fit."""

    old: str
    new: str
    reason: str = ""
    fits: bool = True


@lru_cache(maxsize=32)
def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"invalid tool_call_id_pattern {pattern!r}: {exc}", key="tool_call_id_pattern"
        ) from exc


def id_fits(tool_call_id: str, capabilities: ProviderCapabilities) -> bool:
    """True when the target accepts ``tool_call_id`` as is (an empty id never fits)."""
    if not tool_call_id:
        return False
    limit = capabilities.tool_call_id_max_length
    if limit is not None and len(tool_call_id) > limit:
        return False
    pattern = capabilities.tool_call_id_pattern
    return pattern is None or _compile(pattern).fullmatch(tool_call_id) is not None


def assign_tool_call_ids(
    ids: Sequence[str], capabilities: ProviderCapabilities
) -> list[IdAssignment]:
    """One assignment per call id, in conversation order.

    The first call with an id that fits keeps it. Every other call (unfit, or a repeat of an
    earlier id) gets the id with unsafe characters replaced by ``_`` when that alone makes it fit
    and unique, else ``call_<sha256 prefix>``.
    """
    seen: set[str] = set()
    used: set[str] = set()
    for old in ids:
        if old not in seen and id_fits(old, capabilities):
            used.add(old)
        seen.add(old)

    occurrences: dict[str, int] = {}
    out: list[IdAssignment] = []
    for old in ids:
        occurrence = occurrences.get(old, 0)
        occurrences[old] = occurrence + 1
        if occurrence == 0 and id_fits(old, capabilities):
            out.append(IdAssignment(old=old, new=old))
            continue
        assignment = _new_id(old, occurrence, capabilities, used)
        used.add(assignment.new)
        out.append(assignment)
    return out


def _problem(old: str, occurrence: int, capabilities: ProviderCapabilities) -> str:
    if occurrence:
        return "duplicate"
    if not old:
        return "empty"
    limit = capabilities.tool_call_id_max_length
    if limit is not None and len(old) > limit:
        return "too_long"
    return "invalid_characters"


def _new_id(
    old: str, occurrence: int, capabilities: ProviderCapabilities, used: set[str]
) -> IdAssignment:
    reason = _problem(old, occurrence, capabilities)
    if reason == "invalid_characters":
        sanitized = _SAFE.sub("_", old)
        if sanitized not in used and id_fits(sanitized, capabilities):
            return IdAssignment(old=old, new=sanitized, reason=reason)
    fallback = ""
    for attempt in range(_MAX_ATTEMPTS):
        seed = f"{old}\x00{occurrence}\x00{attempt}".encode()
        digest = hashlib.sha256(seed).hexdigest()
        candidates = _hashed_candidates(digest, capabilities.tool_call_id_max_length)
        fitting = [c for c in candidates if id_fits(c, capabilities)]
        if not fitting:
            fallback = fallback or candidates[0]
            break
        for candidate in fitting:
            if candidate not in used:
                return IdAssignment(old=old, new=candidate, reason=reason)
        fallback = fallback or candidates[0]
    # No hashed form fits the target's pattern: keep a unique id and let the caller warn.
    return IdAssignment(old=old, new=_unique(fallback, used), reason=reason, fits=False)


def _hashed_candidates(digest: str, limit: int | None) -> list[str]:
    """``call_<hex>`` first, then bare hex (for patterns without ``_``), cut to ``limit``;
    then hex of every other length, longest first, for patterns fixing the length (Mistral's
    ``^[A-Za-z0-9]{9}$``)."""
    prefixed = f"call_{digest[:_HASH_LENGTH]}"
    bare = digest[:_HASH_LENGTH]
    if limit is not None:
        prefixed, bare = prefixed[: max(limit, 0)], digest[: max(limit, 0)]
    top = len(digest) if limit is None else min(len(digest), max(limit, 0))
    others = [digest[:n] for n in range(top, 0, -1) if n != len(bare)]
    return [prefixed, bare, *others]


def _unique(candidate: str, used: set[str]) -> str:
    base, n = candidate, 1
    while candidate in used:
        candidate = f"{base}_{n}"
        n += 1
    return candidate
