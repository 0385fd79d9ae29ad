"""Pricing: precedence, provenance, exact Decimal math, tiers, partial and missing prices.

Expected amounts are worked out by hand from the prices in each test (USD per million tokens).
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from provider_runtime.catalog import CatalogIndex, load_static_catalog
from provider_runtime.core.types import (
    CostBreakdown,
    ModelCatalog,
    ModelInfo,
    ModelPricing,
    ModelRef,
    PriceTier,
    PricingSource,
    ProviderRuntimeWarning,
    Usage,
)
from provider_runtime.pricing import PriceLookup, PriceRule, PricingTable, estimate_cost

D = Decimal
SONNET_LIKE = ModelPricing(
    input=D("3"),
    output=D("15"),
    cache_read=D("0.3"),
    cache_write=D("3.75"),
    tiers=[
        PriceTier(
            above_input_tokens=200_000,
            input=D("6"),
            output=D("22.5"),
            cache_read=D("0.6"),
            cache_write=D("7.5"),
        )
    ],
)


def ref(provider: str | None, model: str) -> ModelRef:
    return ModelRef(provider=provider, id=model)


def table_with(pricing: ModelPricing, provider: str = "p", model: str = "m") -> PricingTable:
    return PricingTable([PriceRule(provider=provider, model=model, pricing=pricing)])


def cost_of(usage: Usage, pricing: ModelPricing) -> tuple[CostBreakdown | None, list]:
    return estimate_cost(usage, ref("p", "m"), table_with(pricing))


# --------------------------------------------------------------------------- precedence


def test_provider_reported_cost_wins_over_rules_and_catalog() -> None:
    reported = CostBreakdown(total=D("0.42"), source=PricingSource.PROVIDER_REPORTED)
    table = table_with(ModelPricing(input=D("1"), output=D("1")))
    cost, warnings = estimate_cost(
        Usage(input_tokens=10, output_tokens=10), ref("p", "m"), table, reported=reported
    )
    assert cost is reported
    assert warnings == []


def test_no_price_anywhere_gives_null_cost_and_missing_warning() -> None:
    cost, warnings = estimate_cost(Usage(input_tokens=5), ref("acme", "x-1"), PricingTable())
    assert cost is None
    assert [w.code for w in warnings] == ["pricing.missing"]
    assert "`acme`" in warnings[0].message and "`x-1`" in warnings[0].message
    assert warnings[0].details == {"provider": "acme", "model": "x-1"}


def test_unresolved_model_ref_is_missing_not_a_crash() -> None:
    cost, warnings = estimate_cost(Usage(input_tokens=5), ref(None, "m"), table_with(SONNET_LIKE))
    assert cost is None
    assert warnings[0].code == "pricing.missing"


def test_exact_rule_beats_an_earlier_glob() -> None:
    rules = [
        PriceRule(provider="p", model="m*", pricing=ModelPricing(input=D("1"))),
        PriceRule(provider="p", model="m-1", pricing=ModelPricing(input=D("2"))),
    ]
    found = PricingTable(rules).lookup("p", "m-1")
    assert found is not None and found.pricing.input == D("2")


def test_first_exact_and_first_glob_in_config_order_win() -> None:
    rules = [
        PriceRule(provider="p", model="gpt-4o*", pricing=ModelPricing(input=D("1"))),
        PriceRule(provider="p", model="gpt-*", pricing=ModelPricing(input=D("2"))),
        PriceRule(provider="p", model="x", pricing=ModelPricing(input=D("3"))),
        PriceRule(provider="p", model="x", pricing=ModelPricing(input=D("4"))),
    ]
    table = PricingTable(rules)
    assert table.lookup("p", "gpt-4o-mini").pricing.input == D("1")  # type: ignore[union-attr]
    assert table.lookup("p", "gpt-5").pricing.input == D("2")  # type: ignore[union-attr]
    assert table.lookup("p", "x").pricing.input == D("3")  # type: ignore[union-attr]


def test_rules_match_their_provider_only_and_globs_are_case_sensitive() -> None:
    table = PricingTable([PriceRule(provider="openai", model="gpt-*", pricing=SONNET_LIKE)])
    assert table.lookup("openrouter", "gpt-4o") is None
    assert table.lookup("openai", "GPT-4o") is None
    assert table.lookup("openai", "gpt-4o") == PriceLookup(
        SONNET_LIKE, PricingSource.USER_CONFIG, None
    )


def test_user_rule_beats_catalog_and_catalog_is_the_fallback() -> None:
    catalog = ModelCatalog(
        models=[
            ModelInfo(provider="p", id="m", pricing=ModelPricing(input=D("9"))),
            ModelInfo(provider="p", id="n", pricing=ModelPricing(input=D("8"))),
        ],
        snapshot="genai-prices 9.9.9, 2030-01-01",
    )
    rule = PriceRule(provider="p", model="m", pricing=ModelPricing(input=D("1")))
    table = PricingTable([rule], CatalogIndex(catalog))
    assert table.lookup("p", "m") == PriceLookup(rule.pricing, PricingSource.USER_CONFIG, None)
    assert table.lookup("p", "n") == PriceLookup(
        ModelPricing(input=D("8")), PricingSource.CATALOG, "genai-prices 9.9.9, 2030-01-01"
    )
    cost, warnings = estimate_cost(Usage(input_tokens=1_000_000), ref("p", "n"), table)
    assert warnings == []
    assert cost is not None
    assert (cost.total, cost.source, cost.snapshot) == (
        D("8"),
        PricingSource.CATALOG,
        "genai-prices 9.9.9, 2030-01-01",
    )


def test_catalog_entries_not_from_static_data_do_not_claim_its_snapshot() -> None:
    catalog = ModelCatalog(
        models=[
            ModelInfo(provider="p", id="r", pricing=ModelPricing(input=D("1")), source="remote"),
            ModelInfo(provider="p", id="c", pricing=ModelPricing(input=D("1")), source="config"),
        ],
        snapshot="genai-prices 1, 2030-01-01",
    )
    table = PricingTable((), CatalogIndex(catalog))
    assert table.lookup("p", "r").snapshot == "remote model list"  # type: ignore[union-attr]
    assert table.lookup("p", "c").snapshot == "config models"  # type: ignore[union-attr]


def test_adapter_declared_entries_name_their_provenance_not_the_data_snapshot() -> None:
    free = ModelPricing(input=D("0"), output=D("0"))
    catalog = ModelCatalog(
        models=[
            ModelInfo(provider="echo", id="e", pricing=free),
            ModelInfo(provider="p", id="b", pricing=ModelPricing(input=D("1"))),
        ],
        snapshot="genai-prices 1, 2030-01-01",
    )
    table = PricingTable(
        (), CatalogIndex(catalog), declared={("echo", "e"): "echo built-in models"}
    )
    found = table.lookup("echo", "e")
    assert found == PriceLookup(free, PricingSource.CATALOG, "echo built-in models")
    assert table.lookup("p", "b").snapshot == "genai-prices 1, 2030-01-01"  # type: ignore[union-attr]
    cost, warnings = estimate_cost(Usage(input_tokens=7, output_tokens=3), ref("echo", "e"), table)
    assert warnings == []  # a zero price is a price: $0, not pricing.missing
    assert cost is not None and cost.total == D("0") and cost.source is PricingSource.CATALOG
    assert cost.snapshot == "echo built-in models" and not cost.partial


def test_catalog_model_without_prices_is_missing() -> None:
    catalog = ModelCatalog(
        models=[
            ModelInfo(provider="p", id="none", pricing=None),
            ModelInfo(provider="p", id="empty", pricing=ModelPricing()),
        ]
    )
    table = PricingTable((), CatalogIndex(catalog))
    for model in ("none", "empty"):
        cost, warnings = estimate_cost(Usage(input_tokens=1), ref("p", model), table)
        assert cost is None
        assert [w.code for w in warnings] == ["pricing.missing"]


def test_catalog_prices_a_dated_snapshot_id_by_its_undated_entry() -> None:
    catalog = ModelCatalog(models=[ModelInfo(provider="p", id="m", pricing=SONNET_LIKE)])
    found = PricingTable((), CatalogIndex(catalog)).lookup("p", "m-20250929")
    assert found is not None and found.pricing is SONNET_LIKE


# --------------------------------------------------------------------------- math


def test_input_and_output_priced_per_million_tokens() -> None:
    cost, warnings = cost_of(Usage(input_tokens=1000, output_tokens=500), SONNET_LIKE)
    assert warnings == []
    assert cost is not None
    # 1000 * 3 / 1e6 = 0.003 ; 500 * 15 / 1e6 = 0.0075
    assert (cost.input, cost.output, cost.cache_read, cost.cache_write) == (
        D("0.003"),
        D("0.0075"),
        D("0"),
        D("0"),
    )
    assert cost.total == D("0.0105")
    assert cost.currency == "USD"
    assert cost.source is PricingSource.USER_CONFIG
    assert cost.partial is False and cost.missing_components == []


def test_cached_tokens_are_not_counted_twice() -> None:
    usage = Usage(
        input_tokens=10_000, cache_read_tokens=6_000, cache_write_tokens=2_000, output_tokens=1_000
    )
    cost, _ = cost_of(usage, SONNET_LIKE)
    assert cost is not None
    assert cost.input == D("0.006")  # only the 2,000 uncached tokens at $3
    assert cost.cache_read == D("0.0018")  # 6,000 at $0.30
    assert cost.cache_write == D("0.0075")  # 2,000 at $3.75
    assert cost.output == D("0.015")
    assert cost.total == D("0.0303")


def test_reasoning_tokens_are_output_tokens_priced_once() -> None:
    with_reasoning, _ = cost_of(Usage(output_tokens=1_000, reasoning_tokens=800), SONNET_LIKE)
    without, _ = cost_of(Usage(output_tokens=1_000), SONNET_LIKE)
    assert with_reasoning is not None and without is not None
    assert with_reasoning.total == without.total == D("0.015")


def test_decimal_math_is_exact_where_floats_are_not() -> None:
    pricing = ModelPricing(input=D("0.1"), output=D("0.2"))
    cost, _ = cost_of(Usage(input_tokens=1, output_tokens=1), pricing)
    assert 1 * 0.1 / 1e6 + 1 * 0.2 / 1e6 != 0.3 / 1e6  # the float answer is off
    assert cost is not None and cost.total == D("0.0000003")
    assert isinstance(cost.total, Decimal)


def test_amounts_are_exact_and_written_without_trailing_zeros_or_exponents() -> None:
    pricing = ModelPricing(input=D("3.000"), output=D("15"))
    cost, _ = cost_of(Usage(input_tokens=10_000_000, output_tokens=1_000), pricing)
    assert cost is not None
    wire = msgspec.json.decode(msgspec.json.encode(cost))
    assert wire["input"] == "30"  # not "3E+1", not "30.000000"
    assert wire["output"] == "0.015"
    assert wire["total"] == "30.015"
    assert msgspec.json.decode(msgspec.json.encode(cost), type=CostBreakdown) == cost


def test_large_token_counts_stay_exact() -> None:
    pricing = ModelPricing(input=D("0.0000001"))
    cost, _ = cost_of(Usage(input_tokens=123_456_789_012_345_678), pricing)
    assert cost is not None and cost.total == D("12345.6789012345678")


# --------------------------------------------------------------------------- tiers


def test_tier_applies_only_above_its_threshold() -> None:
    at, _ = cost_of(Usage(input_tokens=200_000, output_tokens=1_000_000), SONNET_LIKE)
    above, _ = cost_of(Usage(input_tokens=200_001, output_tokens=1_000_000), SONNET_LIKE)
    assert at is not None and above is not None
    assert (at.input, at.output) == (D("0.6"), D("15"))  # 200k at $3, base output
    # one token over: every token, output included, at the long-context prices
    assert (above.input, above.output) == (D("1.200006"), D("22.5"))


def test_cached_tokens_count_towards_the_threshold_and_get_tier_prices() -> None:
    usage = Usage(input_tokens=250_000, cache_read_tokens=150_000, cache_write_tokens=50_000)
    cost, _ = cost_of(usage, SONNET_LIKE)
    assert cost is not None
    assert cost.input == D("0.3")  # 50,000 uncached at $6
    assert cost.cache_read == D("0.09")  # 150,000 at $0.60
    assert cost.cache_write == D("0.375")  # 50,000 at $7.50
    assert cost.total == D("0.765")


def test_highest_applicable_tier_wins_and_unpriced_components_keep_lower_prices() -> None:
    pricing = ModelPricing(
        input=D("1"),
        output=D("2"),
        tiers=[  # deliberately out of order
            PriceTier(above_input_tokens=128_000, input=D("4"), output=D("8")),
            PriceTier(above_input_tokens=32_000, input=D("3")),
        ],
    )
    small, _ = cost_of(Usage(input_tokens=1_000_000 // 100, output_tokens=1_000_000), pricing)
    mid, _ = cost_of(Usage(input_tokens=100_000, output_tokens=1_000_000), pricing)
    big, _ = cost_of(Usage(input_tokens=200_000, output_tokens=1_000_000), pricing)
    assert small is not None and mid is not None and big is not None
    assert (small.input, small.output) == (D("0.01"), D("2"))
    assert (mid.input, mid.output) == (D("0.3"), D("2"))  # tier 32k has no output price
    assert (big.input, big.output) == (D("0.8"), D("8"))


# --------------------------------------------------------------------------- partial


def test_missing_cache_write_price_gives_partial_cost_and_warning() -> None:
    pricing = ModelPricing(input=D("2"), output=D("8"), cache_read=D("0.5"))
    usage = Usage(input_tokens=3_000, cache_write_tokens=1_000, output_tokens=100)
    cost, warnings = estimate_cost(usage, ref("p", "m"), table_with(pricing))
    assert cost is not None
    assert cost.partial is True
    assert cost.missing_components == ["cache_write"]
    assert cost.cache_write is None
    assert cost.input == D("0.004")  # 2,000 uncached tokens at $2
    assert cost.total == D("0.0048")  # 0.004 + 100 * 8 / 1e6; the write tokens left out
    assert [w.code for w in warnings] == ["pricing.partial"]
    assert "cache_write" in warnings[0].message
    assert warnings[0].details == {
        "provider": "p",
        "model": "m",
        "components": ["cache_write"],
        "source": "user_config",
    }


def test_missing_cache_read_price_does_not_fall_back_to_input_price() -> None:
    pricing = ModelPricing(input=D("2"), output=D("8"))
    usage = Usage(input_tokens=5_000, cache_read_tokens=4_000)
    cost, warnings = cost_of(usage, pricing)
    assert cost is not None
    assert cost.partial is True and cost.missing_components == ["cache_read"]
    assert cost.input == D("0.002")  # 1,000 uncached tokens only
    assert cost.cache_read is None
    assert cost.total == D("0.002")
    assert warnings[0].code == "pricing.partial" and "cache_read" in warnings[0].message


def test_zero_tokens_of_an_unpriced_component_is_not_partial() -> None:
    pricing = ModelPricing(input=D("2"), output=D("8"))
    cost, warnings = cost_of(Usage(input_tokens=1_000, output_tokens=10), pricing)
    assert cost is not None
    assert cost.partial is False and cost.missing_components == []
    assert cost.cache_read is None and cost.cache_write is None
    assert warnings == []


def test_several_missing_components_in_one_warning_in_fixed_order() -> None:
    pricing = ModelPricing(cache_read=D("1"))
    usage = Usage(input_tokens=10, cache_write_tokens=3, output_tokens=4)
    cost, warnings = cost_of(usage, pricing)
    assert cost is not None
    assert cost.missing_components == ["input", "output", "cache_write"]
    assert cost.total == D("0")
    assert len(warnings) == 1
    for component in ("input", "output", "cache_write"):
        assert component in warnings[0].message


# --------------------------------------------------------------------------- static catalog


def test_static_catalog_prices_claude_sonnet_at_published_rates() -> None:
    # Anthropic's pricing page: Sonnet 4.5 $3 / MTok input, $15 / MTok output
    table = PricingTable((), CatalogIndex(load_static_catalog()))
    usage = Usage(input_tokens=100_000, output_tokens=100_000)
    cost, warnings = estimate_cost(usage, ref("anthropic", "claude-sonnet-4-5"), table)
    assert warnings == []
    assert cost is not None
    assert (cost.input, cost.output, cost.total) == (D("0.3"), D("1.5"), D("1.8"))
    assert cost.source is PricingSource.CATALOG
    assert cost.snapshot == load_static_catalog().snapshot
    assert cost.snapshot is not None and cost.snapshot.startswith("genai-prices ")


def test_static_catalog_openai_cache_write_is_unpriced_but_cache_read_is() -> None:
    # OpenAI's pricing page: gpt-4o $2.50 input, $1.25 cached input, $10 output per MTok
    table = PricingTable((), CatalogIndex(load_static_catalog()))
    usage = Usage(input_tokens=2_000_000, cache_read_tokens=1_000_000, output_tokens=1_000_000)
    cost, warnings = estimate_cost(usage, ref("openai", "gpt-4o"), table)
    assert warnings == []
    assert cost is not None and cost.total == D("13.75")


# --------------------------------------------------------------------------- property


def _oracle(usage: Usage, pricing: ModelPricing) -> Fraction:
    """Independent exact arithmetic on Fractions, for fully priced tier-less usage."""
    parts = [
        (usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens, pricing.input),
        (usage.output_tokens, pricing.output),
        (usage.cache_read_tokens, pricing.cache_read),
        (usage.cache_write_tokens, pricing.cache_write),
    ]
    return sum((Fraction(n) * Fraction(p) / 1_000_000 for n, p in parts), Fraction(0))  # type: ignore[arg-type]


prices = st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False)


@given(
    read=st.integers(0, 10**7),
    write=st.integers(0, 10**7),
    extra=st.integers(1, 10**7),  # every real call reads a prompt (zero usage: no_usage)
    output=st.integers(0, 10**7),
    p=st.tuples(prices, prices, prices, prices),
)
def test_total_matches_exact_rational_arithmetic(read, write, extra, output, p) -> None:
    usage = Usage(
        input_tokens=read + write + extra,
        cache_read_tokens=read,
        cache_write_tokens=write,
        output_tokens=output,
    )
    pricing = ModelPricing(input=p[0], output=p[1], cache_read=p[2], cache_write=p[3])
    cost, warnings = cost_of(usage, pricing)
    assert warnings == []
    assert cost is not None
    assert Fraction(cost.total) == _oracle(usage, pricing)
    parts = [cost.input, cost.output, cost.cache_read, cost.cache_write]
    assert cost.total == sum(parts, D(0))  # type: ignore[arg-type]


def test_price_rule_decodes_from_config_shaped_json() -> None:
    raw = b'{"provider":"openai","model":"gpt-4o*","pricing":{"input":"2.5","output":"10"}}'
    rule = msgspec.json.decode(raw, type=PriceRule)
    assert rule.pricing.input == D("2.5") and rule.pricing.cache_read is None
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"provider":"p","model":"m","pricing":{},"x":1}', type=PriceRule)


# --------------------------------------------------------------------------- protocol.md


def _section_examples(heading: str) -> list[tuple[str, str]]:
    """``(type name, json text)`` of the annotated examples in one protocol.md section."""
    text = (Path(__file__).resolve().parent.parent / "protocol.md").read_text("utf-8")
    section = text.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"<!-- decode: (\w+) -->\n```json\n(.*?)\n```", section, re.S)
    return [(name, body) for name, body in found]


def test_protocol_pricing_examples_are_what_the_code_produces() -> None:
    examples = _section_examples("3. Pricing")
    assert [name for name, _ in examples] == [
        "CostBreakdown",
        "ProviderRuntimeWarning",
        "ProviderRuntimeWarning",
    ]
    documented_cost = msgspec.json.decode(examples[0][1], type=CostBreakdown)
    documented_warnings = [
        msgspec.json.decode(body, type=ProviderRuntimeWarning) for _, body in examples[1:]
    ]
    pricing = ModelPricing(input=D("2"), output=D("8"))
    usage = Usage(input_tokens=3_000, cache_write_tokens=1_000, output_tokens=100)
    cost, warnings = estimate_cost(
        usage, ref("openai", "gpt-x"), table_with(pricing, "openai", "gpt-x")
    )
    assert cost == documented_cost
    assert warnings == documented_warnings[:1]
    _, missing = estimate_cost(usage, ref("echo", "echo-unpriced"), PricingTable())
    assert missing == documented_warnings[1:]


def test_a_usage_without_tokens_is_not_priced_as_zero() -> None:
    table = PricingTable(
        [PriceRule(provider="local", model="m", pricing=ModelPricing(input=Decimal(1)))]
    )
    cost, warnings = estimate_cost(Usage(), ModelRef(provider="local", id="m"), table)
    assert cost is None
    assert [w.code for w in warnings] == ["pricing.no_usage"]


def test_one_hour_cache_writes_are_priced_at_their_own_rate_or_reported_missing() -> None:
    # Anthropic: 5-minute writes cost 1.25x the input price, 1-hour writes 2x
    # (docs.claude.com prompt caching pricing); claude-sonnet-4-5: $3.75 and $6 per million.
    usage = Usage(input_tokens=3000, cache_write_tokens=3000, cache_write_1h_tokens=1000)
    ref = ModelRef(provider="anthropic", id="claude-sonnet-4-5")
    both = ModelPricing(input=D(3), cache_write=D("3.75"), cache_write_1h=D(6))
    cost, warnings = estimate_cost(
        usage, ref, PricingTable([PriceRule(provider="anthropic", model="*", pricing=both)])
    )
    assert warnings == [] and cost is not None
    assert cost.cache_write == (2000 * D("3.75") + 1000 * 6) / 10**6
    only_5m = ModelPricing(input=D(3), cache_write=D("3.75"))
    cost, warnings = estimate_cost(
        usage, ref, PricingTable([PriceRule(provider="anthropic", model="*", pricing=only_5m)])
    )
    assert cost is not None and cost.partial and cost.missing_components == ["cache_write_1h"]
    assert (
        cost.cache_write == 2000 * D("3.75") / 10**6
    )  # never the 1-hour tokens at the 5-minute rate
    assert [w.code for w in warnings] == ["pricing.partial"]
