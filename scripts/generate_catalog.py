"""Write the bundled static catalog from ``genai-prices`` and a committed LiteLLM extract (offline).

Development-time only (``make catalog``; ``genai-prices`` and ``litellm`` are in the ``catalog``
extra and never imported at run time; litellm is not even imported here, only its data file is
read). Same inputs, same bytes: commit ``daemon/provider_runtime/catalog/data/catalog.json``
and ``scripts/data/litellm_capabilities.json`` after running it.

What is taken from the genai-prices data, per model of openai, anthropic, openrouter and the
OpenAI-compatible presets it prices (``PROVIDERS``; xAI's is filed as `xai`, Fireworks' ids get
their `accounts/fireworks/models/` path):
- the id, when the model's own match rule accepts it, and the display name;
- every extra exact id the match rule lists (an ``equals`` clause, e.g. ``o3-2025-04-16`` for
  ``o3``) as its own entry with the same data, unless another model claims that id too;
- context window;
- USD per million tokens for input, output, cache read, cache write (Anthropic's 5-minute
  write price) and one-hour cache write, and their long-context tiers;
- standard prices only: service-tier, batch and "fast" variants are left out, and where a price
  holds only at certain hours (DeepSeek), the one in force most of the day;
- when a model's price changed over time, the price in force on ``--as-of`` (default: the newest
  price-change date in these providers' data, which is also the date in the snapshot string,
  since the data carries no snapshot date of its own);
- models with no per-token price at all (priced per audio hour, character or request) are left
  out; other price kinds (audio/image tokens, web searches) are not modelled.

genai-prices has no output limits and no capabilities. Those come from LiteLLM's
``model_prices_and_context_window_backup.json`` (MIT), through a small committed extract
(``scripts/data/litellm_capabilities.json``: the fields of ``LITELLM_FIELDS`` and the reasoning
fields of ``catalog_reasoning.REASONING_FIELDS``, only for ids of this catalog, with the litellm
version), so generation needs no litellm. ``catalog_reasoning`` turns the reasoning fields into
the reasoning controls (efforts, modes, whether reasoning can be off) by per-provider rules.
The extract is refreshed first when litellm's file is found (``--litellm-json PATH``, else the
installed package, located without importing it); ``--no-refresh`` uses the committed extract
as is. An entry is matched by exact id only (``openrouter/<slug>`` for OpenRouter) and only
when LiteLLM files it under that provider; a field LiteLLM does not state stays null (unknown).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

from catalog_reasoning import LEVEL_LIST, REASONING_FIELDS, check_level_list, reasoning_controls
from catalog_sampling import sampling_controls

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "daemon" / "provider_runtime" / "catalog" / "data" / "catalog.json"
DEFAULT_EXTRACT = REPO / "scripts" / "data" / "litellm_capabilities.json"
# genai-prices provider ids: the native providers and the OpenAI-compatible presets it prices.
PROVIDERS = (
    "anthropic",
    "openai",
    "openrouter",
    "cerebras",
    "deepseek",
    "fireworks",
    "groq",
    "mistral",
    "together",
    "x-ai",
)
# Where this runtime's provider id or model id differs from genai-prices': xAI's preset is
# `xai`; Fireworks' API names a model by its resource path (`accounts/fireworks/models/<id>`).
CATALOG_PROVIDER_IDS = {"x-ai": "xai"}
MODEL_ID_PREFIXES = {"fireworks": "accounts/fireworks/models/"}
PRICE_KEYS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
    "cache_write_1h": "cache_write_1h_mtok",  # Anthropic's one-hour writes, tiered where it is
}

LITELLM_FILE = "model_prices_and_context_window_backup.json"
LITELLM_NOTICE = "Extracted from LiteLLM (MIT License, Copyright (c) 2023 Berri AI)"
# LiteLLM's field -> the canonical field it fills (max_input_tokens only when genai-prices has
# no context window; it is the input limit, which for some models is below the full window).
LITELLM_FIELDS = {
    "max_input_tokens": "context_window",
    "max_output_tokens": "max_output_tokens",
    "supports_function_calling": "tools",
    "supports_vision": "vision",
    "supports_response_schema": "json_schema",
    "supports_reasoning": "reasoning",
    # USD per token of a one-hour cache write (Anthropic: 2x input); ModelPricing.cache_write_1h
    # only where genai-prices has none (it has them tiered, LiteLLM only untiered)
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h",
}
EXTRACT_FIELDS = (*LITELLM_FIELDS, *REASONING_FIELDS)
# ``litellm_provider`` values of the entries that describe each provider's own API.
LITELLM_PROVIDERS = {
    "anthropic": ("anthropic",),
    "openai": ("openai", "text-completion-openai"),
    "openrouter": ("openrouter",),
    "cerebras": ("cerebras",),
    "deepseek": ("deepseek",),
    "fireworks": ("fireworks_ai",),
    "groq": ("groq",),
    "mistral": ("mistral",),
    "together": ("together_ai",),
    "xai": ("xai",),
}
# LiteLLM's key prefix for each provider whose entries are filed under one (openai and
# anthropic entries are bare ids).
LITELLM_KEY_PREFIXES = {
    "openrouter": "openrouter/",
    "cerebras": "cerebras/",
    "deepseek": "deepseek/",
    "fireworks": "fireworks_ai/",
    "groq": "groq/",
    "mistral": "mistral/",
    "together": "together_ai/",
    "xai": "xai/",
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


def _time_of_day(gp_types: Any) -> tuple[type, ...]:
    found = getattr(gp_types, "TimeOfDateConstraint", None)
    return (found,) if isinstance(found, type) else ()


def _hours(constraint: Any) -> float:
    """How many hours of the day a time-of-day constraint covers (it may wrap midnight)."""
    start = constraint.start_time.hour + constraint.start_time.minute / 60
    end = constraint.end_time.hour + constraint.end_time.minute / 60
    return (end - start) % 24


def prices_in_force(model: Any, as_of: date | None, gp_types: Any) -> Any:
    """genai-prices' rule: the last dated price already started wins, else the first price.
    Where prices hold at certain hours (DeepSeek), the one in force most of the day: the
    time-of-day price when its hours exceed half the day (standard hours beside an off-peak
    discount), else the others (a peak surcharge for a few hours)."""
    if not isinstance(model.prices, list):
        return model.prices
    hourly = [c for c in model.prices if isinstance(c.constraint, _time_of_day(gp_types))]
    if hourly and sum(_hours(c.constraint) for c in hourly) > 12:
        return hourly[0].prices  # the price most of the day pays (DeepSeek's standard hours)
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
    prefix = MODEL_ID_PREFIXES.get(provider.id, "")
    for model in provider.models:
        pricing = convert_pricing(prices_in_force(model, as_of, gp_types), gp_types)
        if pricing is None:
            continue
        info = ModelInfo(
            provider=CATALOG_PROVIDER_IDS.get(provider.id, provider.id),
            id=f"{prefix}{model.id}",
            display_name=model.name,
            context_window=model.context_window,
            pricing=pricing,
            source="static",
        )
        if model.is_match(model.id):  # some data ids are labels no request uses (ft:gpt-4o)
            entries.setdefault(info.id, info)
        for alias in sorted(set(exact_ids(model.match, gp_types)) - {model.id}):
            claims.setdefault(alias, []).append(info)
    canonical = {model.id for model in provider.models}
    for alias, infos in claims.items():
        if alias not in canonical and len(infos) == 1:
            full = alias if "/" in alias else f"{prefix}{alias}"  # a path is whole already
            entries.setdefault(full, ModelInfo(**{**_fields(infos[0]), "id": full}))
    return list(entries.values())


def _fields(info: Any) -> dict[str, Any]:
    return {name: getattr(info, name) for name in info.__struct_fields__}


def genai_prices_models(as_of: date | None = None) -> tuple[list[Any], date | None]:
    """The priced models of the installed genai-prices data, and the date their prices are as of."""
    from genai_prices import types as gp_types
    from genai_prices.data import providers as all_providers

    selected = [p for p in all_providers if p.id in PROVIDERS]
    missing = set(PROVIDERS) - {p.id for p in selected}
    if missing:
        raise SystemExit(f"genai-prices has no data for: {', '.join(sorted(missing))}")
    as_of = as_of or newest_price_date(selected, gp_types)
    models = [m for provider in selected for m in provider_models(provider, as_of, gp_types)]
    return models, as_of


# --------------------------------------------------------------------------- LiteLLM extract


def locate_litellm_json() -> Path | None:
    """LiteLLM's bundled data file, found without importing litellm (None: not installed)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / LITELLM_FILE
    return path if path.is_file() else None


def litellm_version(litellm_json: Path) -> str:
    """The version of the litellm distribution installed beside ``litellm/<data file>``."""
    site = litellm_json.resolve().parent.parent
    found = importlib.metadata.distributions(name="litellm", path=[str(site)])
    versions = sorted({dist.version for dist in found})
    if len(versions) != 1:
        raise SystemExit(f"cannot tell the litellm version of {litellm_json} (found {versions})")
    return versions[0]


def _litellm_value(key: str, field: str, value: Any) -> int | bool | float | list[str]:
    """``value`` checked: a positive integer for token limits, a boolean for ``supports_*`` and
    ``thinking_*``, a positive number for a per-token cost, ladder names for the level list."""
    if field == LEVEL_LIST:
        return check_level_list(key, value)
    if field.endswith("_cost_above_1hr"):
        valid = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    elif field.startswith("max_"):
        valid = isinstance(value, int) and not isinstance(value, bool) and value > 0
    else:
        valid = isinstance(value, bool)
    if not valid:
        raise SystemExit(f"litellm entry {key!r}: unexpected {field} {value!r}")
    result: int | bool | float = value
    return result


def extract_capabilities(
    litellm_data: Mapping[str, Any], keys: Iterable[tuple[str, str]], litellm: str
) -> dict[str, Any]:
    """The extract: LiteLLM's ``LITELLM_FIELDS`` for each ``(provider, id)`` it knows exactly."""
    records = []
    for provider, model_id in sorted(set(keys)):
        key = f"{LITELLM_KEY_PREFIXES.get(provider, '')}{model_id}"
        entry = litellm_data.get(key)
        if not isinstance(entry, dict):
            continue
        if entry.get("litellm_provider") not in LITELLM_PROVIDERS[provider]:
            continue  # the same name filed under another provider is not this model
        fields = {
            field: _litellm_value(key, field, entry[field])
            for field in EXTRACT_FIELDS
            if entry.get(field) is not None
        }
        if fields:
            records.append({"provider": provider, "id": model_id, **fields})
    return {
        "litellm": litellm,
        "file": f"litellm/{LITELLM_FILE}",
        "notice": LITELLM_NOTICE,
        "fields": list(EXTRACT_FIELDS),
        "models": records,
    }


def dump_extract(extract: Mapping[str, Any]) -> bytes:
    """The extract as JSON with one model per line (small diffs), the same bytes every time."""
    lines = ["{"]
    for key, value in extract.items():
        if key != "models":
            lines.append(f" {json.dumps(key)}: {json.dumps(value)},")
    models = [f"  {json.dumps(model)}" for model in extract["models"]]
    lines.append(' "models": [\n' + ",\n".join(models) + "\n ]" if models else ' "models": []')
    lines.append("}\n")
    return "\n".join(lines).encode()


def load_extract(path: Path) -> dict[str, Any]:
    try:
        extract: dict[str, Any] = json.loads(path.read_bytes())
    except FileNotFoundError:
        message = f"no LiteLLM extract at {path}; install litellm or pass --litellm-json"
        raise SystemExit(message) from None
    return extract


def with_capabilities(models: Sequence[Any], extract: Mapping[str, Any]) -> list[Any]:
    """``models`` with the extract's output limit, capabilities and (as a fallback) window."""
    import msgspec

    from provider_runtime.core.types import ModelCapabilities

    records = {(r["provider"], r["id"]): r for r in extract["models"]}
    result = []
    for model in models:
        record = records.get((model.provider, model.id))
        sampling = sampling_controls(model.provider, model.id)
        if record is None:
            capabilities = ModelCapabilities(**sampling)
            result.append(msgspec.structs.replace(model, capabilities=capabilities))
            continue
        values = {LITELLM_FIELDS[f]: v for f, v in record.items() if f in LITELLM_FIELDS}
        window = values.pop("context_window", None)
        per_token_1h = values.pop("cache_write_1h", None)
        values.update(reasoning_controls(model.provider, record))
        values.update(sampling)
        changes: dict[str, Any] = {
            "max_output_tokens": values.pop("max_output_tokens", None),
            "capabilities": ModelCapabilities(**values),
        }
        pricing = model.pricing
        # Only where genai-prices has no one-hour price and the model no long-context tiers:
        # LiteLLM's is untiered, and a tier without one would fall back to this base price.
        if (
            per_token_1h is not None
            and pricing is not None
            and pricing.cache_write_1h is None
            and not pricing.tiers
        ):
            per_million = Decimal(repr(per_token_1h)).scaleb(6).normalize()
            if per_million == per_million.to_integral_value():
                per_million = per_million.quantize(Decimal(1))
            changes["pricing"] = msgspec.structs.replace(pricing, cache_write_1h=per_million)
        if model.context_window is None:
            changes["context_window"] = window
        result.append(msgspec.structs.replace(model, **changes))
    return result


def build_catalog(models: Sequence[Any], as_of: date | None, extract: Mapping[str, Any]) -> Any:
    """The catalog: genai-prices models with the extract applied, sorted, with its snapshot."""
    from provider_runtime.core.types import ModelCatalog

    merged = sorted(with_capabilities(models, extract), key=lambda m: (m.provider, m.id))
    snapshot = f"genai-prices {version('genai-prices')}"
    if as_of is not None:
        snapshot += f", {as_of.isoformat()}"
    snapshot += f"; litellm {extract['litellm']}"
    return ModelCatalog(models=merged, snapshot=snapshot)


def capabilities_extract(args: argparse.Namespace, models: Sequence[Any]) -> dict[str, Any]:
    """The extract, refreshed first from LiteLLM's file when there is one and it is wanted."""
    source = None if args.no_refresh else (args.litellm_json or locate_litellm_json())
    if source is None:
        return load_extract(args.extract)
    data = json.loads(Path(source).read_bytes())
    extract = extract_capabilities(
        data, ((m.provider, m.id) for m in models), litellm_version(source)
    )
    args.extract.parent.mkdir(parents=True, exist_ok=True)
    args.extract.write_bytes(dump_extract(extract))
    print(f"wrote {args.extract} (litellm {extract['litellm']}: {len(extract['models'])} models)")
    return extract


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="file to write")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="pick prices in force on this date (default: newest price change in the data)",
    )
    parser.add_argument(
        "--extract", type=Path, default=DEFAULT_EXTRACT, help="the LiteLLM extract to use/refresh"
    )
    refresh = parser.add_mutually_exclusive_group()
    refresh.add_argument(
        "--litellm-json",
        type=Path,
        default=None,
        help=f"refresh the extract from this litellm/{LITELLM_FILE} (default: the installed one)",
    )
    refresh.add_argument(
        "--no-refresh",
        action="store_true",
        help="use the extract as it is, even if litellm is installed",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(REPO / "daemon"))  # this checkout's types and exporter
    from provider_runtime.catalog import export_catalog_json

    models, as_of = genai_prices_models(args.as_of)
    catalog = build_catalog(models, as_of, capabilities_extract(args, models))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(export_catalog_json(catalog))
    ids = [CATALOG_PROVIDER_IDS.get(p, p) for p in PROVIDERS]
    counts = {p: sum(m.provider == p for m in catalog.models) for p in ids}
    summary = ", ".join(f"{p} {n}" for p, n in counts.items())
    print(f"wrote {args.output} ({catalog.snapshot}: {summary} models)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
