"""Output of the ``count`` and ``price`` commands (``cli.py`` runs them): one line per result
on stdout, warnings on stderr. Pure formatting; nothing here calls the runtime."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core.types import CostBreakdown, TokenCount
    from .runtime import PriceQuote

__all__ = ["count_line", "price_lines"]


def count_line(count: TokenCount) -> str:
    """``13 input tokens for echo/echo-1 (estimate) · context window 32768 · fits``."""
    how = "exact, counted by the provider" if count.exact else f"{count.source}, not exact"
    line = f"{count.input_tokens} input tokens for {count.provider}/{count.model} ({how})"
    if count.context_window is not None:
        line += f" · context window {count.context_window}"
    if count.fits is not None:
        line += " · fits" if count.fits else " · does NOT fit with the output reserved"
    return line


def price_lines(quotes: Sequence[PriceQuote]) -> list[str]:
    """One line per model: its total and breakdown, or that no price is known."""
    return [f"{q.provider}/{q.model}: {_cost(q.cost)}" for q in quotes]


def _cost(cost: CostBreakdown | None) -> str:
    if cost is None:
        return "no price known"
    parts = [
        f"{name} ${value}"
        for name, value in (
            ("input", cost.input),
            ("output", cost.output),
            ("cache read", cost.cache_read),
            ("cache write", cost.cache_write),
        )
        if value is not None
    ]
    partial = f", partial: no {', '.join(cost.missing_components)} price" if cost.partial else ""
    snapshot = f", {cost.snapshot}" if cost.snapshot else ""
    return f"${cost.total} ({'; '.join(parts)}) [{cost.source.value}{snapshot}{partial}]"
