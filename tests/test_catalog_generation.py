"""The committed static catalog is exactly what scripts/generate_catalog.py makes from genai-prices
and the committed LiteLLM extract (scripts/data/litellm_capabilities.json; litellm is not needed).

Skipped only when ``genai_prices`` is not installed, and never under CI (``CI=true``), where the
``test`` extra installs it. genai-prices' own price calculator then serves as an independent
oracle for both the generated prices and ``estimate_cost``. The extract's refresh is tested
against a small fake litellm installation.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import msgspec
import pytest

from provider_runtime.catalog import CatalogIndex, find_model, load_static_catalog
from provider_runtime.core.types import ModelCapabilities, ModelCatalog, ModelRef, Usage
from provider_runtime.pricing import PricingTable, estimate_cost

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "generate_catalog.py"
sys.path.insert(0, str(REPO / "scripts"))
from catalog_reasoning import REASONING_FIELDS, reasoning_controls  # noqa: E402
from generate_catalog import CORRECTIONS  # noqa: E402

EXTRACT = REPO / "scripts" / "data" / "litellm_capabilities.json"
SNAPSHOT = re.compile(r"^genai-prices (?P<gp>[^,;]+), (?P<date>[0-9-]+); litellm (?P<litellm>\S+)$")

if importlib.util.find_spec("genai_prices") is None:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("genai-prices must be installed under CI (it is in the `test` extra)")
    pytest.skip("genai-prices is not installed", allow_module_level=True)


def committed_as_of() -> str:
    """The date the committed catalog's prices are as of (its snapshot string says it)."""
    match = SNAPSHOT.match(load_static_catalog().snapshot or "")
    assert match is not None
    return match["date"]


def run_script(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The generator, on the committed catalog's date unless ``--as-of`` is given (its default
    follows the day the test runs once a price scheduled in the data comes into force)."""
    as_of = () if "--as-of" in args else ("--as-of", committed_as_of())
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(tmp_path / "catalog.json"), *as_of, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def generate(tmp_path: Path, *args: str) -> bytes:
    """The catalog from the committed extract, never refreshed (even if litellm is installed)."""
    done = run_script(tmp_path, "--no-refresh", *args)
    assert done.returncode == 0, done.stderr
    return (tmp_path / "catalog.json").read_bytes()


def committed() -> bytes:
    data = resources.files("provider_runtime.catalog").joinpath("data", "catalog.json")
    return data.read_bytes()


def test_generated_catalog_equals_the_committed_file(tmp_path: Path) -> None:
    installed = version("genai-prices")
    snapshot = load_static_catalog().snapshot or ""
    match = SNAPSHOT.match(snapshot)
    assert match is not None, snapshot
    assert match["gp"] == installed, (
        f"the committed catalog is from {snapshot!r} but genai-prices {installed} is installed: "
        "run `make catalog` and commit daemon/provider_runtime/catalog/data/catalog.json"
    )
    assert match["litellm"] == json.loads(EXTRACT.read_bytes())["litellm"]
    assert generate(tmp_path) == committed()


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate(tmp_path)
    assert generate(tmp_path) == first


def test_as_of_selects_the_price_in_force_on_that_date(tmp_path: Path) -> None:
    # OpenAI cut o3 from $10/$40 to $2/$8 per MTok on 2025-06-10.
    before = json.loads(generate(tmp_path, "--as-of", "2025-06-09"))
    o3 = next(m for m in before["models"] if (m["provider"], m["id"]) == ("openai", "o3"))
    assert (o3["pricing"]["input"], o3["pricing"]["output"]) == ("10", "40")
    match = SNAPSHOT.match(before["snapshot"])
    assert match is not None and match["date"] == "2025-06-09"
    now = find_model(load_static_catalog(), "openai", "o3")
    assert now is not None and now.pricing is not None
    assert (now.pricing.input, now.pricing.output) == (Decimal("2"), Decimal("8"))


def _as_of(catalog: ModelCatalog) -> dt.datetime:
    match = SNAPSHOT.match(catalog.snapshot or "")
    assert match is not None, catalog.snapshot
    day = dt.date.fromisoformat(match["date"])
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


USAGES = [
    {"input_tokens": 1_234, "output_tokens": 567},
    {"input_tokens": 9_000, "cache_read_tokens": 4_000, "output_tokens": 100},
    # large enough to cross every long-context threshold in the data (100k ... 272k)
    {"input_tokens": 300_000, "cache_read_tokens": 50_000, "output_tokens": 10_000},
    {"input_tokens": 120_000, "cache_read_tokens": 1_000, "cache_write_tokens": 500},
    # one-hour cache writes, below and above the long-context thresholds
    {"input_tokens": 50_000, "cache_write_tokens": 20_000, "cache_write_1h_tokens": 5_000},
    {
        "input_tokens": 280_000,
        "cache_read_tokens": 30_000,
        "cache_write_tokens": 40_000,
        "cache_write_1h_tokens": 25_000,
        "output_tokens": 1_000,
    },
]


GENAI_PROVIDER_IDS = {"xai": "x-ai", "bedrock": "aws"}  # the catalog names for genai-prices ids


def test_estimates_agree_with_genai_prices_own_calculator() -> None:
    import genai_prices

    catalog = load_static_catalog()
    table = PricingTable((), CatalogIndex(catalog))
    when = _as_of(catalog)
    compared = 0
    for usage in USAGES:
        for model in catalog.models:
            ours, _ = estimate_cost(
                Usage(**usage), ModelRef(provider=model.provider, id=model.id), table
            )
            assert ours is not None
            if ours.partial:  # genai-prices bills unpriced cache tokens as input instead
                continue
            theirs = genai_prices.calc_price(
                genai_prices.Usage(**usage),
                model.id,
                provider_id=GENAI_PROVIDER_IDS.get(model.provider, model.provider),
                genai_request_timestamp=when,
            )
            assert ours.total == theirs.total_price, (model.provider, model.id, usage)
            compared += 1
    assert compared > 2_000


# --------------------------------------------------------------------------- LiteLLM extract

CAPABILITY_FLAGS = {
    "supports_function_calling": "tools",
    "supports_vision": "vision",
    "supports_response_schema": "json_schema",
    "supports_reasoning": "reasoning",
}


def _extract() -> dict:
    return json.loads(EXTRACT.read_bytes())


def test_committed_extract_is_small_sorted_and_only_for_catalog_models() -> None:
    extract = _extract()
    fields = {
        "max_input_tokens",
        "max_output_tokens",
        "cache_creation_input_token_cost_above_1hr",
        *CAPABILITY_FLAGS,
        *REASONING_FIELDS,
    }
    assert set(extract["fields"]) == fields
    assert re.fullmatch(r"\d+\.\d+\.\d+", extract["litellm"])
    assert "MIT" in extract["notice"]
    keys = [(r["provider"], r["id"]) for r in extract["models"]]
    assert keys == sorted(set(keys))
    catalog_keys = {(m.provider, m.id) for m in load_static_catalog().models}
    assert set(keys) <= catalog_keys
    for record in extract["models"]:
        assert set(record) - {"provider", "id"} <= fields and len(record) > 2, record


def test_committed_catalog_applies_the_extract_and_leaves_other_models_unknown() -> None:
    records = {(r["provider"], r["id"]): r for r in _extract()["models"]}
    applied = unknown = 0
    for model in load_static_catalog().models:
        key = (model.provider, model.id)
        record = {**records.get(key, {}), **CORRECTIONS.get(key, {})}
        assert model.max_output_tokens == record.get("max_output_tokens"), model.id
        for field, capability in CAPABILITY_FLAGS.items():
            assert getattr(model.capabilities, capability) == record.get(field), model.id
        if record.get("max_input_tokens") is not None:  # genai-prices' window wins when it has one
            assert model.context_window is not None
        applied += bool(record)
        unknown += not record
    assert applied == len(records) and applied > 100 and unknown > 0


def test_a_correction_from_the_providers_documentation_overrides_litellm() -> None:
    """DeepSeek documents tool calls for deepseek-reasoner; LiteLLM's flag says otherwise."""
    record = {(r["provider"], r["id"]): r for r in _extract()["models"]}
    assert record[("deepseek", "deepseek-reasoner")]["supports_function_calling"] is False
    model = find_model(load_static_catalog(), "deepseek", "deepseek-reasoner")
    assert model is not None and model.capabilities.tools is True


def test_one_hour_cache_write_prices_come_from_genai_prices_tiers_included() -> None:
    from genai_prices import types as gp_types
    from genai_prices.data import providers

    data = {(p.id, m.id): m for p in providers for m in p.models}
    records = {(r["provider"], r["id"]): r for r in _extract()["models"]}
    priced = tiered = 0
    for model in load_static_catalog().models:
        source = data.get((model.provider, model.id))
        if source is None or model.pricing is None:
            continue  # an alias id: its canonical entry is checked
        prices = source.prices if not isinstance(source.prices, list) else None
        litellm = records.get((model.provider, model.id), {}).get(
            "cache_creation_input_token_cost_above_1hr"
        )
        one_hour = model.pricing.cache_write_1h
        if prices is not None and prices.cache_write_1h_mtok is not None:
            value = prices.cache_write_1h_mtok
            if isinstance(value, gp_types.TieredPrices):
                assert one_hour == value.base, model.id
                tier_prices = {t.above_input_tokens: t.cache_write_1h for t in model.pricing.tiers}
                assert tier_prices == {t.start: t.price for t in value.tiers}, model.id
                tiered += 1
            else:
                assert one_hour == value, model.id
            priced += 1
        if one_hour is not None and litellm is not None:  # both sources agree where both have one
            assert one_hour == Decimal(repr(litellm)) * 10**6, model.id
    assert priced > 20 and tiered >= 2
    catalog = load_static_catalog()
    # Anthropic's pricing page: a one-hour cache write costs 2x the base input price; Haiku 5.5
    # and Sonnet 4.5 keep that above their long-context thresholds ($1 and $12 per MTok).
    for model_id, above in (("claude-haiku-4-5", None), ("claude-haiku-5-5", "1")):
        entry = find_model(catalog, "anthropic", model_id)
        assert entry is not None and entry.pricing is not None
        assert entry.pricing.cache_write_1h == 2 * entry.pricing.input
        tiers = [t.cache_write_1h for t in entry.pricing.tiers]
        assert tiers == ([] if above is None else [Decimal(above)])


def test_published_limits_and_capabilities_of_well_known_models() -> None:
    catalog = load_static_catalog()
    # Anthropic models overview: Sonnet 4.5 has a 200K window, 64K max output, text and image
    # input, extended thinking; tool use is supported by every current Claude model.
    sonnet = find_model(catalog, "anthropic", "claude-sonnet-4-5")
    assert sonnet is not None
    assert (sonnet.context_window, sonnet.max_output_tokens) == (200_000, 64_000)
    caps = sonnet.capabilities
    assert (caps.tools, caps.vision, caps.reasoning) == (True, True, True)
    # OpenAI model page: GPT-4o has a 128K window, 16,384 max output tokens, image input,
    # function calling and structured outputs.
    gpt4o = find_model(catalog, "openai", "gpt-4o")
    assert gpt4o is not None
    assert (gpt4o.context_window, gpt4o.max_output_tokens) == (128_000, 16_384)
    caps = gpt4o.capabilities
    assert (caps.tools, caps.vision, caps.json_schema) == (True, True, True)
    # o3-mini: a reasoning model with tools and structured outputs but no image input, 100K out.
    mini = find_model(catalog, "openai", "o3-mini")
    assert mini is not None and mini.max_output_tokens == 100_000
    caps = mini.capabilities
    assert (caps.tools, caps.vision, caps.json_schema, caps.reasoning) == (True, False, True, True)


def test_committed_catalog_derives_the_reasoning_controls_from_the_extract() -> None:
    records = {(r["provider"], r["id"]): r for r in _extract()["models"]}
    known = 0
    for model in load_static_catalog().models:
        record = records.get((model.provider, model.id), {})
        derived = reasoning_controls(model.provider, record)
        caps = model.capabilities
        got = {
            "reasoning_efforts": caps.reasoning_efforts,
            "reasoning_modes": caps.reasoning_modes,
            "reasoning_off": caps.reasoning_off,
        }
        assert got == {name: derived.get(name) for name in got}, model.id
        known += caps.reasoning_efforts is not None
    assert known > 50


# Published per-model facts (research §B.1/B.2 from platform.claude.com/docs effort and
# extended/adaptive-thinking pages; §C.3 from OpenAI's API error texts and the reasoning guide)
# that LiteLLM's flags must reproduce: (efforts, modes, reasoning can be turned off).
PUBLISHED_REASONING = [
    # Opus 4.5: effort low/medium/high, manual thinking with a budget, no adaptive thinking
    ("anthropic", "claude-opus-4-5", ["low", "medium", "high"], ["budget", "effort"], True),
    # Opus 4.6: max but no xhigh; adaptive thinking, budgets still accepted (deprecated)
    (
        "anthropic",
        "claude-opus-4-6",
        ["low", "medium", "high", "max"],
        ["budget", "effort", "adaptive"],
        True,
    ),
    # Opus 4.7: low..max with xhigh; adaptive only (a budget returns 400); can be disabled
    (
        "anthropic",
        "claude-opus-4-7",
        ["low", "medium", "high", "xhigh", "max"],
        ["effort", "adaptive"],
        True,
    ),
    # Fable 5: adaptive thinking always on, `disabled` not supported
    (
        "anthropic",
        "claude-fable-5",
        ["low", "medium", "high", "xhigh", "max"],
        ["effort", "adaptive"],
        False,
    ),
    # Sonnet 4.5: no effort parameter, thinking by budget only
    ("anthropic", "claude-sonnet-4-5", [], ["budget"], True),
    # gpt-5: minimal..high, no `none` ("models before gpt-5.1 do not support none")
    ("openai", "gpt-5", ["minimal", "low", "medium", "high"], ["effort"], False),
    # gpt-5.1: "Supported values are: 'none', 'low', 'medium', and 'high'"
    ("openai", "gpt-5.1", ["low", "medium", "high"], ["effort"], True),
    # gpt-5.6: "Supported values are: 'none', 'low', 'medium', 'high', and 'xhigh'"
    ("openai", "gpt-5.6-sol", ["low", "medium", "high", "xhigh"], ["effort"], True),
    # gpt-5.5-pro: no `low`, no `none`
    ("openai", "gpt-5.5-pro", ["medium", "high", "xhigh"], ["effort"], False),
    # an audio model without reasoning: no level, no control, never reasons
    ("openai", "gpt-audio", [], [], True),
]


@pytest.mark.parametrize(("provider", "model_id", "efforts", "modes", "off"), PUBLISHED_REASONING)
def test_reasoning_controls_of_well_known_models(provider, model_id, efforts, modes, off) -> None:
    model = find_model(load_static_catalog(), provider, model_id)
    assert model is not None
    caps = model.capabilities
    assert (caps.reasoning_efforts, caps.reasoning_modes, caps.reasoning_off) == (
        efforts,
        modes,
        off,
    )


def test_reasoning_levels_litellm_does_not_state_stay_unknown() -> None:
    # o3 is a reasoning model (so it takes `reasoning_effort`), but LiteLLM states no levels
    o3 = find_model(load_static_catalog(), "openai", "o3")
    assert o3 is not None
    caps = o3.capabilities
    assert (caps.reasoning_efforts, caps.reasoning_modes, caps.reasoning_off) == (
        None,
        ["effort"],
        None,
    )


def test_a_model_litellm_does_not_list_keeps_unknown_capabilities() -> None:
    assert ("anthropic", "claude-opus-4-1") not in {
        (r["provider"], r["id"]) for r in _extract()["models"]
    }
    opus = find_model(load_static_catalog(), "anthropic", "claude-opus-4-1")
    assert opus is not None and opus.pricing is not None  # priced by genai-prices
    assert opus.max_output_tokens is None
    # every capability LiteLLM would state is null: unknown; only the sampling rule applies
    assert opus.capabilities == ModelCapabilities(temperature_with_top_p=False)


@pytest.mark.parametrize(
    ("provider", "model_id", "pair"),
    [
        # Claude 3.x take both ("a breaking change when migrating from Claude 3.x models")
        ("anthropic", "claude-3-7-sonnet-latest", True),
        ("anthropic", "claude-3-haiku", True),
        ("anthropic", "claude-2", True),
        # Claude 4 and later: "This will error in Claude 4+ models"
        ("anthropic", "claude-opus-4-1", False),
        ("anthropic", "claude-sonnet-4-5", False),
        ("anthropic", "claude-haiku-4-5", False),
        ("anthropic", "claude-opus-4-7", False),
        ("anthropic", "claude-fable-5", False),
        # no rule for other providers: unknown
        ("openai", "gpt-4o", None),
        ("openrouter", "anthropic/claude-3.7-sonnet", None),
    ],
)
def test_temperature_with_top_p_follows_the_documented_family_rule(
    provider: str, model_id: str, pair: bool | None
) -> None:
    model = find_model(load_static_catalog(), provider, model_id)
    assert model is not None
    assert model.capabilities.temperature_with_top_p is pair


def test_context_window_comes_from_litellm_only_when_genai_prices_has_none() -> None:
    from genai_prices.data import providers

    openai = next(p for p in providers if p.id == "openai")
    windows = {m.id: m.context_window for m in openai.models}
    records = {r["id"]: r for r in _extract()["models"] if r["provider"] == "openai"}
    catalog = load_static_catalog()
    # gpt-5: genai-prices says 400K (the whole window); LiteLLM's 272K input limit does not win
    assert windows["gpt-5"] == 400_000 and records["gpt-5"]["max_input_tokens"] == 272_000
    assert find_model(catalog, "openai", "gpt-5").context_window == 400_000  # type: ignore[union-attr]
    # gpt-5-search-api: genai-prices has no window, so LiteLLM's figure fills it
    assert windows["gpt-5-search-api"] is None
    search = find_model(catalog, "openai", "gpt-5-search-api")
    assert search is not None
    assert search.context_window == records["gpt-5-search-api"]["max_input_tokens"]


# ---- refreshing the extract from a (fake) litellm installation

FAKE_LITELLM = {
    "sample_spec": {"max_output_tokens": "max output tokens, if the provider specifies it"},
    "gpt-4o": {
        "litellm_provider": "openai",
        "max_input_tokens": 111,
        "max_output_tokens": 222,
        "supports_vision": False,
        "supports_function_calling": True,
        "input_cost_per_token": 1e-06,  # prices are not taken from LiteLLM
    },
    "gpt-4o-2024-08-06": {"litellm_provider": "azure", "max_output_tokens": 5},
    "gpt-5-search-api": {"litellm_provider": "openai", "max_input_tokens": 333},
    "o3": {
        "litellm_provider": "openai",
        "supports_reasoning": True,
        "supports_vision": None,
        "reasoning_effort_levels": ["high", "none", "low"],
    },
    "claude-sonnet-4-5": {"litellm_provider": "anthropic", "supports_response_schema": True},
    "openrouter/anthropic/claude-sonnet-4": {
        "litellm_provider": "openrouter",
        "max_output_tokens": 64000,
    },
    "anthropic/claude-sonnet-4": {"litellm_provider": "anthropic", "max_output_tokens": 1},
    "not-in-the-catalog": {"litellm_provider": "openai", "max_output_tokens": 7},
}


def fake_litellm(tmp_path: Path, data: dict) -> Path:
    site = tmp_path / "site-packages"
    (site / "litellm").mkdir(parents=True)
    (site / "litellm-9.8.7.dist-info").mkdir()
    (site / "litellm-9.8.7.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: litellm\nVersion: 9.8.7\n"
    )
    path = site / "litellm" / "model_prices_and_context_window_backup.json"
    path.write_text(json.dumps(data))
    return path


def test_refresh_extracts_exact_ids_of_the_catalog_from_litellm(tmp_path: Path) -> None:
    extract_path = tmp_path / "extract.json"
    litellm_json = fake_litellm(tmp_path, FAKE_LITELLM)
    before = EXTRACT.read_bytes()
    done = run_script(tmp_path, "--extract", str(extract_path), "--litellm-json", str(litellm_json))
    assert done.returncode == 0, done.stderr
    assert EXTRACT.read_bytes() == before  # the committed extract is not touched
    extract = json.loads(extract_path.read_bytes())
    assert extract["litellm"] == "9.8.7"
    assert extract["models"] == [
        {"provider": "anthropic", "id": "claude-sonnet-4-5", "supports_response_schema": True},
        {
            "provider": "openai",
            "id": "gpt-4o",
            "max_input_tokens": 111,
            "max_output_tokens": 222,
            "supports_function_calling": True,
            "supports_vision": False,
        },
        {"provider": "openai", "id": "gpt-5-search-api", "max_input_tokens": 333},
        {
            "provider": "openai",
            "id": "o3",
            "supports_reasoning": True,
            "reasoning_effort_levels": ["none", "low", "high"],  # put in ladder order
        },
        {
            "provider": "openrouter",
            "id": "anthropic/claude-sonnet-4",
            "max_output_tokens": 64000,
        },
    ]
    catalog = msgspec.json.decode((tmp_path / "catalog.json").read_bytes(), type=ModelCatalog)
    match = SNAPSHOT.match(catalog.snapshot or "")
    assert match is not None and match["litellm"] == "9.8.7"
    gpt4o = find_model(catalog, "openai", "gpt-4o")
    assert gpt4o is not None
    assert (gpt4o.context_window, gpt4o.max_output_tokens) == (128_000, 222)
    assert gpt4o.capabilities == ModelCapabilities(tools=True, vision=False)
    assert gpt4o.pricing == find_model(load_static_catalog(), "openai", "gpt-4o").pricing  # type: ignore[union-attr]
    dated = find_model(catalog, "openai", "gpt-4o-2024-08-06")  # azure's entry is not OpenAI's
    assert dated is not None and dated.id == "gpt-4o-2024-08-06"
    assert dated.max_output_tokens is None and dated.capabilities == ModelCapabilities()
    search = find_model(catalog, "openai", "gpt-5-search-api")
    assert search is not None and search.context_window == 333
    o3 = find_model(catalog, "openai", "o3")
    assert o3 is not None
    assert o3.capabilities == ModelCapabilities(
        reasoning=True,
        reasoning_efforts=["low", "high"],
        reasoning_modes=["effort"],
        reasoning_off=True,
    )
    sonnet4 = find_model(catalog, "openrouter", "anthropic/claude-sonnet-4")
    assert sonnet4 is not None and sonnet4.max_output_tokens == 64000


def test_refresh_then_no_refresh_give_the_same_catalog(tmp_path: Path) -> None:
    extract_path = tmp_path / "extract.json"
    litellm_json = fake_litellm(tmp_path, FAKE_LITELLM)
    args = ("--extract", str(extract_path))
    assert run_script(tmp_path, *args, "--litellm-json", str(litellm_json)).returncode == 0
    refreshed = ((tmp_path / "catalog.json").read_bytes(), extract_path.read_bytes())
    assert generate(tmp_path, *args) == refreshed[0]
    assert run_script(tmp_path, *args, "--litellm-json", str(litellm_json)).returncode == 0
    assert extract_path.read_bytes() == refreshed[1]  # same litellm data, same bytes


def test_refresh_rejects_a_malformed_litellm_value(tmp_path: Path) -> None:
    bad = {"gpt-4o": {"litellm_provider": "openai", "max_output_tokens": "lots"}}
    extract_path = tmp_path / "extract.json"
    done = run_script(
        tmp_path,
        "--extract",
        str(extract_path),
        "--litellm-json",
        str(fake_litellm(tmp_path, bad)),
    )
    assert done.returncode != 0
    assert "gpt-4o" in done.stderr and "max_output_tokens" in done.stderr
    assert not extract_path.exists()


def test_refresh_rejects_an_effort_level_off_the_ladder(tmp_path: Path) -> None:
    bad = {"o3": {"litellm_provider": "openai", "reasoning_effort_levels": ["medium", "ultra"]}}
    extract_path = tmp_path / "extract.json"
    done = run_script(
        tmp_path,
        "--extract",
        str(extract_path),
        "--litellm-json",
        str(fake_litellm(tmp_path, bad)),
    )
    assert done.returncode != 0
    assert "o3" in done.stderr and "reasoning_effort_levels" in done.stderr
    assert not extract_path.exists()


def test_missing_extract_without_litellm_is_an_error(tmp_path: Path) -> None:
    done = run_script(tmp_path, "--no-refresh", "--extract", str(tmp_path / "none.json"))
    assert done.returncode != 0 and "no LiteLLM extract" in done.stderr


# ---- Gemini, Bedrock and the presets


def test_preset_models_get_litellm_capabilities() -> None:
    catalog = load_static_catalog()
    # DeepSeek's reasoner (api-docs.deepseek.com/guides/reasoning_model) is a reasoning model;
    # whether it takes `reasoning_effort` is not in the flags, so the controls stay unknown
    reasoner = find_model(catalog, "deepseek", "deepseek-reasoner")
    assert reasoner is not None and reasoner.max_output_tokens == 65_536
    caps = reasoner.capabilities
    assert (caps.reasoning, caps.reasoning_modes, caps.reasoning_efforts) == (True, None, None)
    # Mistral's listed levels are taken as stated: `none` (off) and `high`
    medium = find_model(catalog, "mistral", "mistral-medium-latest")
    assert medium is not None
    caps = medium.capabilities
    assert (caps.reasoning_efforts, caps.reasoning_modes, caps.reasoning_off) == (
        ["high"],
        ["effort"],
        True,
    )


@pytest.mark.parametrize(
    ("provider", "model_id", "efforts", "modes", "off"),
    [
        # ai.google.dev/gemini-api/docs/thinking: 2.5 takes a budget; 2.5 Pro cannot turn it off
        ("google", "gemini-2.5-flash", [], ["budget"], True),
        ("google", "gemini-2.5-pro", [], ["budget"], False),
        # Gemini 3 and later take thinkingLevel; levels and turning off are not in the flags
        ("google", "gemini-3-flash-preview", None, ["effort"], None),
        # Claude on Bedrock: the Anthropic rules (Opus 4.7 adaptive only, Sonnet 4.5 budget)
        (
            "bedrock",
            "anthropic.claude-opus-4-7",
            ["low", "medium", "high", "xhigh", "max"],
            ["effort", "adaptive"],
            True,
        ),
        ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", [], ["budget"], True),
    ],
)
def test_gemini_and_bedrock_reasoning_controls(provider, model_id, efforts, modes, off) -> None:
    model = find_model(load_static_catalog(), provider, model_id)
    assert model is not None
    caps = model.capabilities
    assert (caps.reasoning_efforts, caps.reasoning_modes, caps.reasoning_off) == (
        efforts,
        modes,
        off,
    )


def test_bedrock_claude_follows_the_claude_sampling_rule() -> None:
    catalog = load_static_catalog()
    sonnet = find_model(catalog, "bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0")
    old = find_model(catalog, "bedrock", "anthropic.claude-3-haiku-20240307-v1:0")
    nova = find_model(catalog, "bedrock", "amazon.nova-pro-v1:0")
    assert sonnet is not None and old is not None and nova is not None
    assert sonnet.capabilities.temperature_with_top_p is False
    assert old.capabilities.temperature_with_top_p is True
    assert nova.capabilities.temperature_with_top_p is None


def test_gemini_api_ids_only() -> None:
    from catalog_ids import is_gemini_api_id

    assert is_gemini_api_id("gemini-2.5-flash") and is_gemini_api_id("gemma-3-27b-it")
    assert not is_gemini_api_id("claude-sonnet-4-5")  # Claude on Vertex
    assert not is_gemini_api_id("gemma-4-26b-a4b-it-maas")  # Vertex Model-as-a-Service
    google = {m.id for m in load_static_catalog().models if m.provider == "google"}
    assert "gemini-2.5-pro" in google and all(is_gemini_api_id(i) for i in google)


def _synthetic_aws() -> tuple[object, list[object]]:
    from genai_prices import types as gp

    price = gp.ModelPrice(input_mtok=Decimal(1), output_mtok=Decimal(2))
    regional = gp.ModelInfo(
        id="regional.anthropic.claude-x-1-v1:0",
        match=gp.ClauseOr(
            or_=[
                gp.ClauseStartsWith(starts_with="anthropic.claude-x-1"),
                gp.ClauseStartsWith(starts_with="claude-x-1"),  # not a Bedrock id
                gp.ClauseContains(contains="us.anthropic.claude-x-1"),
                gp.ClauseContains(contains="eu.anthropic.claude-x-1"),
            ]
        ),
        prices=price,
    )
    global_ = gp.ModelInfo(
        id="global.anthropic.claude-x-1-v1:0",
        match=gp.ClauseContains(contains="global.anthropic.claude-x-1"),
        prices=price,
    )
    nova = gp.ModelInfo(
        id="amazon.nova-y-v1:0", match=gp.ClauseContains(contains="amazon.nova-y"), prices=price
    )
    models = [global_, regional, nova]
    provider = gp.Provider(id="aws", name="AWS", api_pattern="x", models=models)
    return provider, models


def test_bedrock_ids_from_synthetic_rules() -> None:
    from genai_prices import types as gp

    from catalog_ids import bedrock_ids

    provider, (global_, regional, nova) = _synthetic_aws()
    # the label is dropped; the rule's whole names and the geographies it names are listed;
    # `global.` is priced by the global entry (first in genai-prices' lookup), not the regional
    assert bedrock_ids(provider, regional, gp) == [
        "anthropic.claude-x-1",
        "anthropic.claude-x-1-v1:0",
        "eu.anthropic.claude-x-1",
        "eu.anthropic.claude-x-1-v1:0",
        "us.anthropic.claude-x-1",
        "us.anthropic.claude-x-1-v1:0",
    ]
    assert bedrock_ids(provider, global_, gp) == ["global.anthropic.claude-x-1-v1:0"]
    # a `contains` rule names no geography: no profile id is guessed
    assert bedrock_ids(provider, nova, gp) == ["amazon.nova-y-v1:0"]


def test_reasoning_rules_for_gemini_bedrock_and_presets_on_synthetic_records() -> None:
    thinks = {"supports_reasoning": True}
    assert reasoning_controls("google", thinks, "gemini-2.5-flash-lite") == {
        "reasoning_efforts": [],
        "reasoning_modes": ["budget"],
        "reasoning_off": True,
    }
    assert reasoning_controls("google", thinks, "gemini-2.5-pro")["reasoning_off"] is False
    listed = {**thinks, "reasoning_effort_levels": ["low", "high"]}
    assert reasoning_controls("google", listed, "gemini-4-argon") == {
        "reasoning_modes": ["effort"],
        "reasoning_efforts": ["low", "high"],
    }
    assert reasoning_controls("google", thinks, "gemini-flash-latest") == {}  # family unknown
    adaptive = {**thinks, "supports_adaptive_thinking": True, "supports_output_config": True}
    claude = reasoning_controls("bedrock", adaptive, "eu.anthropic.claude-z-9")
    assert claude["reasoning_modes"] == ["effort", "adaptive"]
    assert reasoning_controls("bedrock", adaptive, "amazon.nova-pro-v1:0") == {}
    assert reasoning_controls("deepseek", thinks, "deepseek-reasoner") == {}
    assert (
        reasoning_controls("mistral", {**thinks, "reasoning_effort_levels": ["none", "high"]})[
            "reasoning_off"
        ]
        is True
    )
    assert reasoning_controls("xai", {"supports_reasoning": False}, "grok-x")["reasoning_off"]
