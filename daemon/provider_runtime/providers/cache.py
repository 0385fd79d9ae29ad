"""Where a provider's cache markers go: each ``cache_breakpoint`` marks the block before it.

The runtime's capability pass has already decided which breakpoints the target honours and with
which lifetime (``runtime/cache_intent.py``); this module only finds, for each one left, the
last part before it that the provider can mark, in prompt order (tools, system, messages). A
breakpoint with nothing markable before it goes on the last tool definition where the provider
can mark tools, else it is reported (``cache.breakpoint_dropped``, reason ``nothing_before``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..core.types import (
    CACHE_TTL_ORDER,
    CacheBreakpoint,
    ContentPart,
    Message,
    MessageRole,
    ProviderRuntimeWarning,
    TextPart,
)
from .warnings import warning

__all__ = ["CachePlacement", "has_text", "place_breakpoints"]

Position = tuple[int, int]  # (message index, part index)
# Whether the provider can put a marker on this part of this message.
Markable = Callable[[Message, ContentPart], bool]


@dataclass(slots=True)
class CachePlacement:
    """``parts``: the parts that carry a marker, with its lifetime; ``tools``: the lifetime of
    the marker on the last tool definition (None: no marker there)."""

    parts: dict[Position, str] = field(default_factory=dict)
    tools: str | None = None
    warnings: list[ProviderRuntimeWarning] = field(default_factory=list)

    def ttl(self, message_index: int, part_index: int) -> str | None:
        return self.parts.get((message_index, part_index))


def has_text(part: ContentPart) -> bool:
    """A text part with something in it (empty text blocks cannot be cached)."""
    return isinstance(part, TextPart) and bool(part.text.strip())


def place_breakpoints(
    messages: Sequence[Message],
    *,
    markable: Markable,
    tools: bool,
    system_first: bool,
    provider: str,
) -> CachePlacement:
    """Put each breakpoint on the last markable part before it (``tools``: the request has tool
    definitions the provider can mark; ``system_first``: system messages lead the prompt)."""
    placement = CachePlacement()
    order = list(range(len(messages)))
    if system_first:
        order.sort(key=lambda i: messages[i].role != MessageRole.SYSTEM)
    last: Position | None = None
    unplaced: list[str] = []
    for mi in order:
        for pi, part in enumerate(messages[mi].parts()):
            if isinstance(part, CacheBreakpoint):
                if last is not None:
                    placement.parts[last] = _longer(placement.parts.get(last), part.ttl)
                elif tools:
                    placement.tools = _longer(placement.tools, part.ttl)
                else:
                    unplaced.append(f"$.messages[{mi}].content[{pi}]")
            elif markable(messages[mi], part):
                last = (mi, pi)
    if unplaced:
        placement.warnings.append(
            warning(
                "cache.breakpoint_dropped",
                f"nothing before {len(unplaced)} cache breakpoint(s) can carry {provider}'s "
                "cache marker; not sent",
                reason="nothing_before",
                paths=unplaced,
            )
        )
    return placement


def _longer(current: str | None, ttl: str) -> str:
    """Two breakpoints on one block make one marker, with the longer lifetime."""
    if current is None:
        return ttl
    return max(current, ttl, key=CACHE_TTL_ORDER.index)
