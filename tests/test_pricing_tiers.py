"""Long-context price tiers of the bundled catalog, at and just above each threshold.

Every expectation is computed by hand below from the provider's published prices (USD per
million tokens), then checked against genai-prices' own ``calc_price`` where it is installed
(always under CI, like tests/test_catalog_generation.py). A tier applies when the prompt,
cached tokens included, is strictly above the threshold, and then prices every token.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
from decimal import Decimal
from typing import Any, NamedTuple

import pytest

from provider_runtime.catalog import CatalogIndex, load_static_catalog
from provider_runtime.core.types import ModelRef, Usage
from provider_runtime.pricing import PricingTable, estimate_cost

D = Decimal


class Case(NamedTuple):
    provider: str
    model: str
    usage: dict[str, int]
    total: str
    cache_write: str | None  # 5-minute and one-hour writes together


# GPT-5.6 Sol (developers.openai.com/api/docs/pricing): $4 input, $0.40 cached input, $20
# output; cache writes 1.25x input = $5 (prompt-caching guide: "For GPT-5.6 models ... cache
# writes cost 1.25x the uncached input token rate"). Above 272K input tokens the whole request
# bills 2x input, cached and cache write, 1.5x output: $8 / $0.80 / $10 / $30.
# Usage: 100,000 cached reads, 50,000 cache writes, 10,000 output; the rest uncached.
GPT_5_6 = {"cache_read_tokens": 100_000, "cache_write_tokens": 50_000, "output_tokens": 10_000}
# Claude Haiku 5.5 (platform.claude.com/docs/en/models/haiku-5-5/overview and pricing page):
# $0.10 input, $0.125 5m write, $0.20 1h write, $0.01 read, $0.50 output; a prompt above
# 100,000 tokens bills every token at 5x: $0.50 / $0.625 / $1 / $0.05 / $2.50.
# Usage: 40,000 reads, 30,000 writes of which 10,000 for one hour, 2,000 output.
HAIKU_5_5 = {
    "cache_read_tokens": 40_000,
    "cache_write_tokens": 30_000,
    "cache_write_1h_tokens": 10_000,
    "output_tokens": 2_000,
}
# Claude Sonnet 4.5 (platform.claude.com/docs/en/about-claude/pricing): $3 input, $3.75 5m
# write, $6 1h write, $0.30 read, $15 output; above 200K input tokens (historical: the 1M beta
# was retired 2026-04-30) $6 / $7.50 / $12 / $0.60 / $22.50.
# Usage: 120,000 reads, 50,000 writes of which 20,000 for one hour, 4,000 output.
SONNET_4_5 = {
    "cache_read_tokens": 120_000,
    "cache_write_tokens": 50_000,
    "cache_write_1h_tokens": 20_000,
    "output_tokens": 4_000,
}
# Gemini 2.5 Pro through OpenRouter (ai.google.dev/gemini-api/docs/pricing: $1.25 input, $10
# output, $0.125 cached up to 200K; $2.50 / $15 / $0.25 above); OpenRouter's cache write price
# $0.375 (genai-prices' openrouter data) has no tier, so it stays above 200K.
# Usage: 50,000 reads, 10,000 writes, 1,000 output.
GEMINI_2_5_PRO = {"cache_read_tokens": 50_000, "cache_write_tokens": 10_000, "output_tokens": 1_000}
# Gemini 2.5 Pro on the Gemini API itself (ai.google.dev/gemini-api/docs/pricing, Standard):
# $1.25 input, $0.125 context-caching (read), $10 output for prompts <= 200K tokens; $2.50 /
# $0.25 / $15 above. Gemini bills no cache writes (implicit caching).
# Usage: 50,000 cached reads, 1,000 output.
GEMINI_NATIVE = {"cache_read_tokens": 50_000, "output_tokens": 1_000}
# Claude Sonnet 4.5 on Bedrock (aws.amazon.com/bedrock/pricing, Anthropic): the global
# cross-Region profile $3 input, $15 output, $0.30 cache read, $3.75 5m write, $6 1h write;
# geographic profiles (`us.`) and in-Region calls cost 10% more ("approximately 10% savings
# ... compared to geographic cross-Region inference", docs.aws.amazon.com/bedrock/latest/
# userguide/global-cross-region-inference.html): $3.30 / $16.50 / $0.33 / $4.125 / $6.60.
# Usage: 10,000 input of which 4,000 read and 2,000 written (500 for one hour), 1,000 output.
BEDROCK_SONNET = {
    "input_tokens": 10_000,
    "cache_read_tokens": 4_000,
    "cache_write_tokens": 2_000,
    "cache_write_1h_tokens": 500,
    "output_tokens": 1_000,
}
SONNET_4_5_BEDROCK = "anthropic.claude-sonnet-4-5-20250929-v1:0"

CASES = [
    # 122,000 x 4 + 100,000 x 0.4 + 50,000 x 5 + 10,000 x 20 = 978,000 -> $0.978
    Case("openai", "gpt-5.6-sol", {"input_tokens": 272_000, **GPT_5_6}, "0.978", "0.25"),
    # 122,001 x 8 + 100,000 x 0.8 + 50,000 x 10 + 10,000 x 30 = 1,856,008
    Case("openai", "gpt-5.6-sol", {"input_tokens": 272_001, **GPT_5_6}, "1.856008", "0.5"),
    # 30,000 x 0.1 + 40,000 x 0.01 + 20,000 x 0.125 + 10,000 x 0.2 + 2,000 x 0.5 = 8,900
    Case(
        "anthropic", "claude-haiku-5-5", {"input_tokens": 100_000, **HAIKU_5_5}, "0.0089", "0.0045"
    ),
    # 30,001 x 0.5 + 40,000 x 0.05 + 20,000 x 0.625 + 10,000 x 1 + 2,000 x 2.5 = 44,500.5
    Case(
        "anthropic",
        "claude-haiku-5-5",
        {"input_tokens": 100_001, **HAIKU_5_5},
        "0.0445005",
        "0.0225",
    ),
    # 30,000 x 3 + 120,000 x 0.3 + 30,000 x 3.75 + 20,000 x 6 + 4,000 x 15 = 418,500
    Case(
        "anthropic",
        "claude-sonnet-4-5",
        {"input_tokens": 200_000, **SONNET_4_5},
        "0.4185",
        "0.2325",
    ),
    # 30,001 x 6 + 120,000 x 0.6 + 30,000 x 7.5 + 20,000 x 12 + 4,000 x 22.5 = 807,006
    Case(
        "anthropic",
        "claude-sonnet-4-5",
        {"input_tokens": 200_001, **SONNET_4_5},
        "0.807006",
        "0.465",
    ),
    # 140,000 x 1.25 + 50,000 x 0.125 + 10,000 x 0.375 + 1,000 x 10 = 195,000
    Case(
        "openrouter",
        "google/gemini-2.5-pro",
        {"input_tokens": 200_000, **GEMINI_2_5_PRO},
        "0.195",
        "0.00375",
    ),
    # 140,001 x 2.5 + 50,000 x 0.25 + 10,000 x 0.375 + 1,000 x 15 = 381,252.5
    Case(
        "openrouter",
        "google/gemini-2.5-pro",
        {"input_tokens": 200_001, **GEMINI_2_5_PRO},
        "0.3812525",
        "0.00375",
    ),
    # 150,000 x 1.25 + 50,000 x 0.125 + 1,000 x 10 = 203,750
    Case("google", "gemini-2.5-pro", {"input_tokens": 200_000, **GEMINI_NATIVE}, "0.20375", None),
    # 150,001 x 2.5 + 50,000 x 0.25 + 1,000 x 15 = 402,502.5
    Case("google", "gemini-2.5-pro", {"input_tokens": 200_001, **GEMINI_NATIVE}, "0.4025025", None),
    # 4,000 x 3 + 4,000 x 0.3 + 1,500 x 3.75 + 500 x 6 + 1,000 x 15 = 36,825 (writes 8,625)
    Case("bedrock", f"global.{SONNET_4_5_BEDROCK}", BEDROCK_SONNET, "0.036825", "0.008625"),
    # 4,000 x 3.3 + 4,000 x 0.33 + 1,500 x 4.125 + 500 x 6.6 + 1,000 x 16.5 = 40,507.5
    Case("bedrock", f"us.{SONNET_4_5_BEDROCK}", BEDROCK_SONNET, "0.0405075", "0.0094875"),
    Case("bedrock", SONNET_4_5_BEDROCK, BEDROCK_SONNET, "0.0405075", "0.0094875"),
]
IDS = [f"{c.provider}/{c.model}@{c.usage['input_tokens']}" for c in CASES]
GENAI_PROVIDER_IDS = {"bedrock": "aws"}  # genai-prices files Bedrock's prices under `aws`


def _estimate(case: Case) -> Any:
    table = PricingTable((), CatalogIndex(load_static_catalog()))
    ref = ModelRef(provider=case.provider, id=case.model)
    cost, warnings = estimate_cost(Usage(**case.usage), ref, table)
    assert warnings == [], warnings
    assert cost is not None and not cost.partial
    return cost


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tier_prices_apply_strictly_above_the_threshold(case: Case) -> None:
    cost = _estimate(case)
    assert cost.total == D(case.total)
    assert cost.cache_write == (D(case.cache_write) if case.cache_write is not None else None)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tier_costs_agree_with_genai_prices(case: Case) -> None:
    if importlib.util.find_spec("genai_prices") is None:
        if os.environ.get("CI", "").lower() == "true":
            raise RuntimeError("genai-prices must be installed under CI (the `test` extra)")
        pytest.skip("genai-prices is not installed")
    import genai_prices

    snapshot = load_static_catalog().snapshot or ""
    match = re.search(r", (\d{4}-\d{2}-\d{2});", snapshot)
    assert match is not None, snapshot
    when = dt.datetime.combine(dt.date.fromisoformat(match[1]), dt.time(12), tzinfo=dt.UTC)
    theirs = genai_prices.calc_price(
        genai_prices.Usage(**case.usage),
        case.model,
        provider_id=GENAI_PROVIDER_IDS.get(case.provider, case.provider),
        genai_request_timestamp=when,
    )
    assert _estimate(case).total == theirs.total_price == D(case.total)
