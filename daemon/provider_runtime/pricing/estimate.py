"""Cost of one call from canonical usage and a price: exact ``Decimal`` math, USD, no rounding.

Rules (protocol.md §3): uncached input, cache reads, cache writes and output are priced
separately, so no token is counted twice; reasoning tokens are output tokens; a long-context
tier replaces the base prices of the whole call once the prompt exceeds its threshold.
"""

from __future__ import annotations

from decimal import Context, Decimal

from ..core.types import (
    CostBreakdown,
    ModelPricing,
    ModelRef,
    PricingSource,
    ProviderRuntimeWarning,
    Usage,
)
from .table import PriceLookup, PricingTable

__all__ = ["COMPONENTS", "effective_prices", "estimate_cost"]

COMPONENTS = ("input", "output", "cache_read", "cache_write", "cache_write_1h")
# Wide enough that token count x price is always exact; never rounds in practice.
_EXACT = Context(prec=100)
_ZERO = Decimal(0)


def effective_prices(pricing: ModelPricing, input_tokens: int) -> dict[str, Decimal | None]:
    """Per-component prices for a prompt of ``input_tokens`` (cached ones included).

    Every tier whose ``above_input_tokens`` the prompt exceeds applies, higher thresholds last,
    each replacing the components it prices; a component no applicable tier prices keeps the
    base price. The chosen prices then apply to all tokens of the call (a cliff, not a ladder).
    """
    prices: dict[str, Decimal | None] = {c: getattr(pricing, c) for c in COMPONENTS}
    for tier in sorted(pricing.tiers, key=lambda t: t.above_input_tokens):
        if input_tokens <= tier.above_input_tokens:
            break
        for component in COMPONENTS:
            value = getattr(tier, component)
            if value is not None:
                prices[component] = value
    return prices


def _tidy(amount: Decimal) -> Decimal:
    """The same value without trailing zeros (``0.003000`` -> ``0.003``); never rounds."""
    if amount.is_zero():
        return _ZERO
    tidy = amount.normalize(_EXACT)
    exponent = tidy.as_tuple().exponent
    # normalize() writes whole numbers as 3E+1; quantize brings back the plain form "30".
    return (
        tidy.quantize(Decimal(1), context=_EXACT)
        if isinstance(exponent, int) and exponent > 0
        else tidy
    )


def _token_counts(usage: Usage) -> dict[str, int]:
    return {
        "input": usage.uncached_input_tokens,
        "output": usage.output_tokens,  # reasoning tokens are a part of these
        "cache_read": usage.cache_read_tokens,
        "cache_write": max(0, usage.cache_write_tokens - usage.cache_write_1h_tokens),
        "cache_write_1h": usage.cache_write_1h_tokens,  # a part of cache_write_tokens
    }


def _price_usage(usage: Usage, found: PriceLookup) -> tuple[dict[str, Decimal | None], list[str]]:
    prices = effective_prices(found.pricing, usage.input_tokens)
    costs: dict[str, Decimal | None] = {}
    missing: list[str] = []
    for component, tokens in _token_counts(usage).items():
        price = prices[component]
        if price is None:
            costs[component] = None
            if tokens > 0:
                missing.append(component)
        elif tokens == 0:
            costs[component] = _ZERO
        else:
            per_million = _EXACT.multiply(Decimal(tokens), price)
            costs[component] = _tidy(per_million.scaleb(-6, _EXACT))
    return costs, missing


def _sum_known(*amounts: Decimal | None) -> Decimal | None:
    """Both lifetimes of cache writes in one figure; None only when neither is priced."""
    known = [a for a in amounts if a is not None]
    return _tidy(sum(known, _ZERO)) if known else None


def _missing_warning(model: ModelRef) -> ProviderRuntimeWarning:
    provider = model.provider or "(unresolved)"
    return ProviderRuntimeWarning(
        code="pricing.missing",
        message=(
            f"no price known for provider `{provider}` model `{model.id}`: cost is null; "
            "add a [[pricing]] rule to the config to price it (for a local or free server, a "
            f'zero-price rule silences this: provider = "{provider}", model = "*", '
            'pricing = { input = "0", output = "0" })'
        ),
        details={"provider": model.provider, "model": model.id},
    )


def _partial_warning(
    model: ModelRef, missing: list[str], usage: Usage, source: PricingSource
) -> ProviderRuntimeWarning:
    counts = _token_counts(usage)
    named = ", ".join(f"{c} ({counts[c]} tokens)" for c in missing)
    return ProviderRuntimeWarning(
        code="pricing.partial",
        message=(
            f"the {source.value} price for `{model.provider}/{model.id}` has no {named} price: "
            "the cost leaves those tokens out"
        ),
        details={
            "provider": model.provider,
            "model": model.id,
            "components": list(missing),
            "source": source.value,
        },
    )


def estimate_cost(
    usage: Usage,
    model: ModelRef,
    table: PricingTable,
    *,
    reported: CostBreakdown | None = None,
) -> tuple[CostBreakdown | None, list[ProviderRuntimeWarning]]:
    """The call's cost and the warnings about it; ``reported`` (the provider's own) wins as is.

    No price at all gives ``(None, [pricing.missing])``; a price lacking a component the usage
    needs gives a cost marked ``partial`` plus ``pricing.partial`` naming the components. A usage
    with no tokens at all means the provider reported none (every real call reads a prompt):
    ``(None, [pricing.no_usage])``, never a $0 that looks like a real price.
    """
    if reported is not None:
        return reported, []
    if usage.input_tokens == 0 and usage.output_tokens == 0:
        return None, [
            ProviderRuntimeWarning(
                code="pricing.no_usage",
                message=(
                    f"the answer of `{model.provider}/{model.id}` reported no token usage: "
                    "cost is null"
                ),
                details={"provider": model.provider, "model": model.id},
            )
        ]
    found = table.lookup(model.provider, model.id) if model.provider else None
    if found is None:
        return None, [_missing_warning(model)]
    costs, missing = _price_usage(usage, found)
    total = sum((c for c in costs.values() if c is not None), _ZERO)
    cost = CostBreakdown(
        total=_tidy(total),
        source=found.source,
        snapshot=found.snapshot,
        partial=bool(missing),
        missing_components=missing,
        input=costs["input"],
        output=costs["output"],
        cache_read=costs["cache_read"],
        cache_write=_sum_known(costs["cache_write"], costs["cache_write_1h"]),
    )
    warnings = [_partial_warning(model, missing, usage, found.source)] if missing else []
    return cost, warnings
