"""The cache step of the capability pass: what of the caller's cache intent the target honours.

Breakpoints (``cache_breakpoint`` parts), ``cache_key`` and ``cache_retention`` are fitted to
the ``CacheSupport`` the target declares for the model; each change is one ``cache.*`` warning
(protocol.md §9); a target that caches prefixes implicitly honours breakpoints without them
(they are removed, no warning). Encoders then map what is left to the provider's own markers.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from ..core.types import (
    CACHE_TTL_ORDER,
    CacheBreakpoint,
    CacheSupport,
    CacheTtl,
    ContentPart,
    Message,
    MessageRole,
    ProviderCapabilities,
    ProviderRequest,
    ProviderRuntimeWarning,
    SystemPlacement,
)

__all__ = ["breakpoints_in_prompt_order", "decide_cache"]

Warnings = list[ProviderRuntimeWarning]
Position = tuple[int, int]  # (message index, part index)


def decide_cache(
    request: ProviderRequest, caps: ProviderCapabilities, name: str, warnings: Warnings
) -> dict[str, object]:
    """The request changes that fit its cache intent to the target ``name`` (provider/model)."""
    support = caps.cache_support(name.partition("/")[2])
    changes: dict[str, object] = {}
    retention = request.cache_retention
    if retention != "default" and retention not in support.retention:
        warnings.append(
            _warning(
                "cache.retention_unsupported",
                f"{name} cannot honour cache_retention {retention!r}; the provider's default "
                "retention applies",
                asked=retention,
            )
        )
        changes["cache_retention"] = "default"
    if request.cache_key is not None and not support.cache_key:
        warnings.append(
            _warning("cache.key_dropped", f"{name} takes no cache key; `cache_key` not sent")
        )
        changes["cache_key"] = None
    found = breakpoints_in_prompt_order(request.messages, caps.system_placement)
    if not found:
        return changes
    if support.implicit and retention != "none":
        # The provider caches the prefix up to each breakpoint by itself: honoured, not sent.
        changes["messages"] = _rewrite(request.messages, {})
        return changes
    ttls = _fit_breakpoints(found, support, retention, name, warnings)
    if any(ttls.get(pos) != bp.ttl for pos, bp in found):
        changes["messages"] = _rewrite(request.messages, ttls)
    return changes


def breakpoints_in_prompt_order(
    messages: list[Message], placement: SystemPlacement
) -> list[tuple[Position, CacheBreakpoint]]:
    """Every breakpoint with its position; a top-level system prompt comes before the turns."""
    found = [
        ((mi, pi), part)
        for mi, message in enumerate(messages)
        for pi, part in enumerate(message.parts())
        if isinstance(part, CacheBreakpoint)
    ]
    if placement == SystemPlacement.TOP_LEVEL:
        found.sort(key=lambda f: messages[f[0][0]].role != MessageRole.SYSTEM)  # stable
    return found


def _fit_breakpoints(
    found: list[tuple[Position, CacheBreakpoint]],
    support: CacheSupport,
    retention: str,
    name: str,
    warnings: Warnings,
) -> dict[Position, CacheTtl]:
    """The ttl of each breakpoint kept (a position missing from the result is dropped)."""
    if retention == "none" or support.breakpoints == 0:
        why = (
            "cache_retention is 'none'"
            if retention == "none"
            else f"{name} cannot honour cache breakpoints"
        )
        warnings.append(
            _warning(
                "cache.breakpoint_dropped",
                f"{why}; {len(found)} cache breakpoint(s) not sent",
                reason="retention_none" if retention == "none" else "unsupported",
                paths=_paths(pos for pos, _ in found),
            )
        )
        return {}
    limit = support.breakpoints
    if limit is not None and len(found) > limit:
        kept, dropped = found[len(found) - limit :], found[: len(found) - limit]
        warnings.append(
            _warning(
                "cache.breakpoints_limited",
                f"{name} takes at most {limit} cache breakpoints; the last {limit} were kept "
                "(later breakpoints cover more of the prompt)",
                limit=limit,
                kept=_paths(pos for pos, _ in kept),
                dropped=_paths(pos for pos, _ in dropped),
            )
        )
        found = kept
    ttls = _offered_ttls(found, support, name, warnings)
    if support.longer_ttl_first:
        _longer_first(ttls, name, warnings)
    return ttls


def _offered_ttls(
    found: list[tuple[Position, CacheBreakpoint]],
    support: CacheSupport,
    name: str,
    warnings: Warnings,
) -> dict[Position, CacheTtl]:
    ttls: dict[Position, CacheTtl] = {}
    changed: dict[tuple[CacheTtl, CacheTtl], list[Position]] = {}
    for pos, bp in found:
        ttl = bp.ttl if not support.ttls or bp.ttl in support.ttls else _nearest(bp.ttl, support)
        if ttl != bp.ttl:
            changed.setdefault((bp.ttl, ttl), []).append(pos)
        ttls[pos] = ttl
    for (asked, applied), positions in changed.items():
        warnings.append(
            _warning(
                "cache.ttl_unsupported",
                f"{name} offers no {asked} cache lifetime; {applied} asked instead",
                asked=asked,
                applied=applied,
                paths=_paths(positions),
            )
        )
    return ttls


def _nearest(ttl: CacheTtl, support: CacheSupport) -> CacheTtl:
    """The longest offered lifetime not above ``ttl``, else the shortest offered."""
    rank = CACHE_TTL_ORDER.index
    offered = sorted(support.ttls, key=rank)
    shorter = [t for t in offered if rank(t) <= rank(ttl)]
    return shorter[-1] if shorter else offered[0]


def _longer_first(ttls: dict[Position, CacheTtl], name: str, warnings: Warnings) -> None:
    """A breakpoint may not live longer than one before it: shorten it (in place)."""
    rank = CACHE_TTL_ORDER.index
    shortest: CacheTtl | None = None
    lowered: list[Position] = []
    for pos, ttl in ttls.items():  # prompt order
        if shortest is not None and rank(ttl) > rank(shortest):
            ttls[pos] = shortest
            lowered.append(pos)
        elif shortest is None or rank(ttl) < rank(shortest):
            shortest = ttl
    if lowered:
        warnings.append(
            _warning(
                "cache.ttl_downgraded",
                f"{name} needs longer-lived cache breakpoints before shorter ones; "
                f"{len(lowered)} breakpoint(s) after a shorter one were given its lifetime",
                paths=_paths(lowered),
            )
        )


def _rewrite(messages: list[Message], ttls: dict[Position, CacheTtl]) -> list[Message]:
    out: list[Message] = []
    for mi, message in enumerate(messages):
        parts = message.parts()
        if not any(isinstance(p, CacheBreakpoint) for p in parts):
            out.append(message)
            continue
        new: list[ContentPart] = []
        for pi, part in enumerate(parts):
            if not isinstance(part, CacheBreakpoint):
                new.append(part)
            elif (mi, pi) in ttls:
                ttl = ttls[(mi, pi)]
                new.append(part if ttl == part.ttl else CacheBreakpoint(ttl=ttl))
        out.append(msgspec.structs.replace(message, content=new))
    return out


def _paths(positions: Iterable[Position]) -> list[str]:
    return [f"$.messages[{mi}].content[{pi}]" for mi, pi in positions]


def _warning(code: str, message: str, **details: object) -> ProviderRuntimeWarning:
    return ProviderRuntimeWarning(code=code, message=message, details=details)
