"""Before and after a call, without making it: the estimate fallback of ``runtime/countTokens``,
``fits`` against the catalog, and ``runtime/price`` results. Pure.
"""

from __future__ import annotations

import msgspec

from ..core.tokens import estimate_request_tokens
from ..core.types import (
    CanonicalStruct,
    CostBreakdown,
    ModelInfo,
    ModelRef,
    ProviderRequest,
    ProviderRuntimeWarning,
    TokenCount,
    Usage,
)

__all__ = ["PriceQuote", "estimate_count", "finish_count", "usage_problem"]


class PriceQuote(CanonicalStruct, frozen=True):
    """One model's entry in ``runtime/price``: the cost a call with that usage would have got
    (null when it has no price) and the ``pricing.*`` warnings it would have carried."""

    provider: str
    model: str
    cost: CostBreakdown | None
    warnings: list[ProviderRuntimeWarning] = []


def estimate_count(request: ProviderRequest, ref: ModelRef) -> TokenCount:
    """The offline estimate (``core/tokens.py``) of the prepared request's prompt."""
    assert ref.provider is not None
    return TokenCount(
        input_tokens=estimate_request_tokens(request),
        exact=False,
        source="estimate",
        provider=ref.provider,
        model=ref.id,
    )


def finish_count(
    count: TokenCount,
    info: ModelInfo | None,
    max_output_tokens: int | None,
    warnings: list[ProviderRuntimeWarning],
) -> TokenCount:
    """``count`` with the catalog's context window, ``fits`` and the preparation's warnings
    first. The output reserved is the request's ``max_output_tokens``, else the catalog's
    ``max_output_tokens`` for the model, else none; ``fits`` is null without a context window.
    """
    window = info.context_window if info is not None else None
    reserved = max_output_tokens
    if reserved is None and info is not None:
        reserved = info.max_output_tokens
    fits = None if window is None else count.input_tokens <= window - (reserved or 0)
    return msgspec.structs.replace(
        count, context_window=window, fits=fits, warnings=[*warnings, *count.warnings]
    )


def usage_problem(usage: Usage) -> tuple[str, str] | None:
    """The first inconsistency of a usage given to ``runtime/price`` (a field and what is
    wrong), or None. Its parts must fit in their wholes (protocol.md §1.2): otherwise cached
    tokens given as extra input would be priced as nothing instead of failing loudly."""
    if usage.cache_read_tokens + usage.cache_write_tokens > usage.input_tokens:
        return "cache_read_tokens", (
            "cache reads and writes are parts of `input_tokens`, which must include them "
            f"({usage.cache_read_tokens} + {usage.cache_write_tokens} > {usage.input_tokens})"
        )
    if usage.cache_write_1h_tokens > usage.cache_write_tokens:
        return "cache_write_1h_tokens", (
            "one-hour writes are a part of `cache_write_tokens`, which must include them "
            f"({usage.cache_write_1h_tokens} > {usage.cache_write_tokens})"
        )
    if usage.reasoning_tokens > usage.output_tokens:
        return "reasoning_tokens", (
            "reasoning tokens are a part of `output_tokens`, which must include them "
            f"({usage.reasoning_tokens} > {usage.output_tokens})"
        )
    return None
