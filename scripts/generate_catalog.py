"""Write the bundled static catalog from the installed ``genai-prices`` package (offline).

Development-time only (``make catalog``; ``genai-prices`` is in the ``catalog`` extra and never
imported at run time). Same installed version, same bytes: run it again after upgrading
``genai-prices`` and commit ``daemon/provider_runtime/catalog/data/catalog.json``.

What is taken from the genai-prices data, per model of openai, anthropic and openrouter:
- the id, when the model's own match rule accepts it, and the display name;
- every extra exact id the match rule lists (an ``equals`` clause, e.g. ``o3-2025-04-16`` for
  ``o3``) as its own entry with the same data, unless another model claims that id too;
- context window (the data has no max output tokens and no capabilities: those stay null);
- USD per million tokens for input, output, cache read and cache write (Anthropic's 5-minute
  write price; the 1-hour one has no canonical slot), and their long-context tiers;
- standard prices only: service-tier, batch and "fast" variants are left out;
- when a model's price changed over time, the price in force on ``--as-of`` (default: the newest
  price-change date in these providers' data, which is also the date in the snapshot string,
  since the data carries no snapshot date of its own);
- models with no per-token price at all (priced per audio hour, character or request) are left
  out; other price kinds (audio/image tokens, web searches) are not modelled.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "daemon" / "provider_runtime" / "catalog" / "data" / "catalog.json"
PROVIDERS = ("anthropic", "openai", "openrouter")
PRICE_KEYS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
}


def plain(value: Decimal) -> Decimal:
    """The price without trailing zeros and without exponent notation (``10``, not ``1E+1``)."""
    value = value.normalize()
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else value


def newest_price_date(providers: Sequence[Any], gp_types: Any) -> date | None:
    """The newest start date of any dated price of the selected providers' models."""
    dates = [
        conditional.constraint.start_date
        for provider in providers
        for model in provider.models
        if isinstance(model.prices, list)
        for conditional in model.prices
        if isinstance(conditional.constraint, gp_types.StartDateConstraint)
    ]
    return max(dates, default=None)


def prices_in_force(model: Any, as_of: date | None, gp_types: Any) -> Any:
    """genai-prices' rule: the last dated price already started wins, else the first price."""
    if not isinstance(model.prices, list):
        return model.prices
    for conditional in reversed(model.prices):
        constraint = conditional.constraint
        if constraint is None:
            return conditional.prices
        if (
            isinstance(constraint, gp_types.StartDateConstraint)
            and as_of is not None
            and constraint.start_date <= as_of
        ):
            return conditional.prices
    return model.prices[0].prices


def convert_pricing(model_price: Any, gp_types: Any) -> Any:
    """genai-prices ``ModelPrice`` -> canonical ``ModelPricing`` (None: no per-token price)."""
    from provider_runtime.core.types import ModelPricing, PriceTier

    base: dict[str, Decimal] = {}
    tiers: dict[int, dict[str, Decimal]] = {}
    for component, key in PRICE_KEYS.items():
        value = getattr(model_price, key, None)
        if isinstance(value, gp_types.TieredPrices):
            base[component] = plain(value.base)
            for tier in value.tiers:
                # genai-prices applies a tier when total input tokens > tier.start, to all
                # tokens of the call: exactly PriceTier.above_input_tokens.
                tiers.setdefault(tier.start, {})[component] = plain(tier.price)
        elif value is not None:
            base[component] = plain(value)
    if not base and not tiers:
        return None
    price_tiers = [PriceTier(above_input_tokens=start, **tiers[start]) for start in sorted(tiers)]
    return ModelPricing(**base, tiers=price_tiers)


def exact_ids(clause: Any, gp_types: Any) -> Iterator[str]:
    """Ids a match rule accepts verbatim: its ``equals`` clauses, through ``or`` clauses."""
    if isinstance(clause, gp_types.ClauseEquals):
        yield clause.equals
    elif isinstance(clause, gp_types.ClauseOr):
        for inner in clause.or_:
            yield from exact_ids(inner, gp_types)


def provider_models(provider: Any, as_of: date | None, gp_types: Any) -> list[Any]:
    """Canonical ``ModelInfo`` entries for one genai-prices provider, aliases included."""
    from provider_runtime.core.types import ModelInfo

    entries: dict[str, Any] = {}
    claims: dict[str, list[Any]] = {}
    for model in provider.models:
        pricing = convert_pricing(prices_in_force(model, as_of, gp_types), gp_types)
        if pricing is None:
            continue
        info = ModelInfo(
            provider=provider.id,
            id=model.id,
            display_name=model.name,
            context_window=model.context_window,
            pricing=pricing,
            source="static",
        )
        if model.is_match(model.id):  # some data ids are labels no request uses (ft:gpt-4o)
            entries.setdefault(model.id, info)
        for alias in sorted(set(exact_ids(model.match, gp_types)) - {model.id}):
            claims.setdefault(alias, []).append(info)
    canonical = {model.id for model in provider.models}
    for alias, infos in claims.items():
        if alias not in canonical and len(infos) == 1:
            entries[alias] = ModelInfo(**{**_fields(infos[0]), "id": alias})
    return list(entries.values())


def _fields(info: Any) -> dict[str, Any]:
    return {name: getattr(info, name) for name in info.__struct_fields__}


def build_catalog(as_of: date | None = None) -> tuple[Any, date | None]:
    """The static catalog from the installed genai-prices data, and the date it is as of."""
    from genai_prices import types as gp_types
    from genai_prices.data import providers as all_providers

    from provider_runtime.core.types import ModelCatalog

    selected = [p for p in all_providers if p.id in PROVIDERS]
    missing = set(PROVIDERS) - {p.id for p in selected}
    if missing:
        raise SystemExit(f"genai-prices has no data for: {', '.join(sorted(missing))}")
    as_of = as_of or newest_price_date(selected, gp_types)
    models = [m for provider in selected for m in provider_models(provider, as_of, gp_types)]
    models.sort(key=lambda m: (m.provider, m.id))
    snapshot = f"genai-prices {version('genai-prices')}"
    if as_of is not None:
        snapshot += f", {as_of.isoformat()}"
    return ModelCatalog(models=models, snapshot=snapshot), as_of


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="file to write")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="pick prices in force on this date (default: newest price change in the data)",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "daemon"))  # this checkout's types and exporter
    from provider_runtime.catalog import export_catalog_json

    catalog, _ = build_catalog(args.as_of)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(export_catalog_json(catalog))
    counts = {p: sum(m.provider == p for m in catalog.models) for p in PROVIDERS}
    summary = ", ".join(f"{p} {n}" for p, n in counts.items())
    print(f"wrote {args.output} ({catalog.snapshot}: {summary} models)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
