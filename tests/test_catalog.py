"""Catalog: the bundled data, static-first merge, lookup index, routing and deterministic export."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provider_runtime.catalog import (
    catalog_index,
    catalog_to_builtins,
    export_catalog_json,
    find_model,
    load_static_catalog,
    merge_static_and_remote_catalog,
    resolve_model_provider,
    undated_model_id,
)
from provider_runtime.core.errors import RoutingError
from provider_runtime.core.types import (
    ModelCapabilities,
    ModelCatalog,
    ModelInfo,
    ModelPricing,
    ModelRef,
    PriceTier,
)
from provider_runtime.server.errors import error_data

D = Decimal


def info(provider: str, model_id: str, **fields) -> ModelInfo:
    return ModelInfo(provider=provider, id=model_id, **fields)


# --------------------------------------------------------------------------- static data


def test_static_catalog_loads_once_and_covers_the_priced_providers() -> None:
    catalog = load_static_catalog()
    assert load_static_catalog() is catalog
    presets = {"cerebras", "deepseek", "fireworks", "groq", "mistral", "together", "xai"}
    native = {"anthropic", "openai", "openrouter", "google", "bedrock"}
    assert {m.provider for m in catalog.models} == {*native, *presets}
    fireworks = [m.id for m in catalog.models if m.provider == "fireworks"]
    assert fireworks and all(i.startswith("accounts/fireworks/") for i in fireworks)
    keys = [(m.provider, m.id) for m in catalog.models]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(m.source == "static" for m in catalog.models)
    assert all(m.pricing is not None for m in catalog.models)
    assert catalog.snapshot is not None and catalog.snapshot.startswith("genai-prices ")
    assert "; litellm " in catalog.snapshot  # the source of limits and capabilities


def test_committed_data_file_is_the_export_format() -> None:
    data = resources.files("provider_runtime.catalog").joinpath("data", "catalog.json")
    assert export_catalog_json(load_static_catalog()) == data.read_bytes()


@pytest.mark.parametrize(
    ("provider", "model_id", "expected"),
    [
        # Anthropic pricing page: base input, output, cache hits, 5m cache writes ($/MTok)
        ("anthropic", "claude-sonnet-4-5", ("3", "15", "0.3", "3.75")),
        ("anthropic", "claude-sonnet-4-0", ("3", "15", "0.3", "3.75")),
        ("anthropic", "claude-3-5-haiku-latest", ("0.8", "4", "0.08", "1")),
        ("anthropic", "claude-opus-4-1", ("15", "75", "1.5", "18.75")),
        # OpenAI pricing page: input, output, cached input; no cache-write price
        ("openai", "gpt-4o", ("2.5", "10", "1.25", None)),
        ("openai", "gpt-4o-mini", ("0.15", "0.6", "0.075", None)),
        ("openai", "o3", ("2", "8", "0.5", None)),
    ],
)
def test_static_prices_match_the_providers_published_prices(provider, model_id, expected) -> None:
    model = find_model(load_static_catalog(), provider, model_id)
    assert model is not None and model.pricing is not None
    p = model.pricing
    got = (p.input, p.output, p.cache_read, p.cache_write)
    assert got == tuple(D(x) if x is not None else None for x in expected)


def test_static_long_context_tiers_match_published_prices() -> None:
    sonnet = find_model(load_static_catalog(), "anthropic", "claude-sonnet-4-5")
    assert sonnet is not None and sonnet.pricing is not None
    # Anthropic: prompts over 200K tokens cost $6 input / $22.50 output per MTok, with cache
    # writes at 1.25x (5 minutes) and 2x (one hour) and reads at 0.1x that input price
    assert sonnet.pricing.tiers == [
        PriceTier(
            above_input_tokens=200_000,
            input=D("6"),
            output=D("22.5"),
            cache_read=D("0.6"),
            cache_write=D("7.5"),
            cache_write_1h=D("12"),
        )
    ]
    assert sonnet.pricing.cache_write_1h == D("6")
    assert sonnet.context_window == 200_000


def test_static_catalog_keeps_exact_alias_ids_of_the_data() -> None:
    catalog = load_static_catalog()
    dated = find_model(catalog, "openai", "o3-2025-04-16")
    assert dated is not None and dated.id == "o3-2025-04-16"
    assert dated.pricing == find_model(catalog, "openai", "o3").pricing  # type: ignore[union-attr]
    # a dated id priced differently from its alias keeps its own entry (May 2024 gpt-4o: $5/$15)
    old = find_model(catalog, "openai", "gpt-4o-2024-05-13")
    assert old is not None and old.pricing is not None
    assert (old.pricing.input, old.pricing.output) == (D("5"), D("15"))


def test_static_catalog_has_no_offline_echo_models() -> None:
    assert not any(m.provider == "echo" for m in load_static_catalog().models)


# --------------------------------------------------------------------------- lookup


def test_undated_model_id() -> None:
    assert undated_model_id("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    assert undated_model_id("gpt-4o-2024-08-06") == "gpt-4o"
    assert undated_model_id("gpt-4o") is None
    assert undated_model_id("model-2024") is None
    assert undated_model_id("20250929") is None


def test_find_model_exact_then_undated_id() -> None:
    exact = info("p", "m-20250101", display_name="pinned")
    base = info("p", "m", display_name="alias")
    catalog = ModelCatalog(models=[base, exact])
    assert find_model(catalog, "p", "m-20250101") is exact
    assert find_model(catalog, "p", "m-20991231") is base
    assert find_model(catalog, "p", "m-2099-12-31") is base
    assert find_model(catalog, "q", "m") is None
    assert find_model(catalog, "p", "n") is None


class CountingList(list):
    iterations = 0

    def __iter__(self):
        CountingList.iterations += 1
        return super().__iter__()


def test_lookups_use_an_index_built_once_per_catalog() -> None:
    models = CountingList(info("p", f"m{i}") for i in range(1000))
    catalog = ModelCatalog(models=models)
    CountingList.iterations = 0
    for i in range(200):
        assert find_model(catalog, "p", f"m{i}") is models[i]
        assert resolve_model_provider(ModelRef(id=f"m{i}"), catalog) == "p"
    assert CountingList.iterations == 1
    assert catalog_index(catalog) is catalog_index(catalog)
    assert catalog_index(ModelCatalog(models=list(models))) is not catalog_index(catalog)


# --------------------------------------------------------------------------- merge


def test_merge_static_values_win_and_remote_fills_gaps() -> None:
    static = ModelCatalog(
        models=[
            info(
                "p",
                "m",
                display_name="Static",
                capabilities=ModelCapabilities(tools=True),
                pricing=ModelPricing(input=D("1")),
            )
        ],
        snapshot="snap",
    )
    remote = [
        info(
            "p",
            "m",
            display_name="Remote",
            context_window=8000,
            max_output_tokens=1000,
            capabilities=ModelCapabilities(tools=False, vision=True),
            pricing=ModelPricing(
                input=D("9"),
                output=D("2"),
                cache_read=D("0.5"),
                tiers=[PriceTier(above_input_tokens=10, input=D("3"))],
            ),
            source="remote",
        )
    ]
    merged = merge_static_and_remote_catalog(static, remote)
    assert merged.snapshot == "snap"
    [m] = merged.models
    assert m.display_name == "Static"
    assert (m.context_window, m.max_output_tokens) == (8000, 1000)
    assert m.capabilities == ModelCapabilities(tools=True, vision=True)
    assert m.pricing == ModelPricing(
        input=D("1"),
        output=D("2"),
        cache_read=D("0.5"),
        tiers=[PriceTier(above_input_tokens=10, input=D("3"))],
    )
    assert m.source == "static"


def test_merge_static_tiers_are_not_replaced_by_remote_ones() -> None:
    tiers = [PriceTier(above_input_tokens=5, input=D("2"))]
    static = ModelCatalog(models=[info("p", "m", pricing=ModelPricing(input=D("1"), tiers=tiers))])
    remote = [
        info("p", "m", pricing=ModelPricing(tiers=[PriceTier(above_input_tokens=9, input=D("7"))]))
    ]
    [m] = merge_static_and_remote_catalog(static, remote).models
    assert m.pricing is not None and m.pricing.tiers == tiers


def test_merge_remote_only_models_are_added_as_remote_and_output_is_sorted() -> None:
    static = ModelCatalog(models=[info("b", "z"), info("a", "y")])
    remote = [info("c", "a"), info("a", "b", source="static")]
    merged = merge_static_and_remote_catalog(static, remote)
    assert [(m.provider, m.id, m.source) for m in merged.models] == [
        ("a", "b", "remote"),
        ("a", "y", "static"),
        ("b", "z", "static"),
        ("c", "a", "remote"),
    ]


def test_merge_duplicate_remote_entries_first_wins_then_fills() -> None:
    remote = [
        info("p", "m", display_name="first"),
        info("p", "m", display_name="second", context_window=42),
    ]
    [m] = merge_static_and_remote_catalog(ModelCatalog(), remote).models
    assert (m.display_name, m.context_window) == ("first", 42)


def test_merge_config_models_override_field_by_field() -> None:
    static = ModelCatalog(
        models=[
            info(
                "p",
                "m",
                display_name="Static",
                context_window=100,
                capabilities=ModelCapabilities(tools=True, vision=True),
                pricing=ModelPricing(input=D("1"), output=D("2")),
            ),
            info("p", "untouched"),
        ]
    )
    remote = [info("p", "m", max_output_tokens=50)]
    config = [
        info(
            "p",
            "m",
            context_window=200,
            capabilities=ModelCapabilities(vision=False),
            pricing=ModelPricing(output=D("5")),
        ),
        info("q", "new", display_name="Mine", source="static"),
    ]
    merged = merge_static_and_remote_catalog(static, remote, config)
    by_key = {(m.provider, m.id): m for m in merged.models}
    m = by_key[("p", "m")]
    assert m.display_name == "Static"  # config left it None: kept
    assert (m.context_window, m.max_output_tokens) == (200, 50)
    assert m.capabilities == ModelCapabilities(tools=True, vision=False)
    assert m.pricing == ModelPricing(input=D("1"), output=D("5"))
    assert m.source == "config"
    assert by_key[("q", "new")].source == "config"
    assert by_key[("q", "new")].display_name == "Mine"
    assert by_key[("p", "untouched")].source == "static"


def test_merge_fills_and_overrides_reasoning_data_and_one_hour_prices() -> None:
    static = ModelCatalog(
        models=[
            info(
                "p",
                "m",
                capabilities=ModelCapabilities(reasoning=True, reasoning_efforts=["low", "high"]),
                pricing=ModelPricing(input=D("1")),
            )
        ]
    )
    remote = [
        info(
            "p",
            "m",
            capabilities=ModelCapabilities(
                reasoning_efforts=["medium"], reasoning_modes=["effort"], reasoning_off=False
            ),
            pricing=ModelPricing(input=D("9"), cache_write_1h=D("2")),
        )
    ]
    [filled] = merge_static_and_remote_catalog(static, remote).models
    assert filled.capabilities == ModelCapabilities(
        reasoning=True,
        reasoning_efforts=["low", "high"],  # static's list wins whole
        reasoning_modes=["effort"],
        reasoning_off=False,
    )
    assert filled.pricing == ModelPricing(input=D("1"), cache_write_1h=D("2"))
    config = [
        info(
            "p",
            "m",
            capabilities=ModelCapabilities(reasoning_efforts=[], reasoning_off=True),
            pricing=ModelPricing(cache_write_1h=D("3")),
        )
    ]
    [overridden] = merge_static_and_remote_catalog(static, remote, config).models
    caps = overridden.capabilities
    assert (caps.reasoning_efforts, caps.reasoning_modes, caps.reasoning_off) == (
        [],  # an empty list is a value ("takes no level"), not an unknown
        ["effort"],
        True,
    )
    assert overridden.pricing == ModelPricing(input=D("1"), cache_write_1h=D("3"))


def test_merge_does_not_modify_its_inputs() -> None:
    static = ModelCatalog(models=[info("p", "m")])
    remote = [info("p", "m", context_window=1)]
    before = (msgspec.json.encode(static), msgspec.json.encode(remote))
    merge_static_and_remote_catalog(static, remote, [info("p", "m", display_name="x")])
    assert (msgspec.json.encode(static), msgspec.json.encode(remote)) == before


def test_merge_with_real_static_catalog_keeps_it_and_adds_echo() -> None:
    static = load_static_catalog()
    echo = info("echo", "echo-1", capabilities=ModelCapabilities(tools=True))
    merged = merge_static_and_remote_catalog(static, [echo])
    assert len(merged.models) == len(static.models) + 1
    assert find_model(merged, "echo", "echo-1") is not None
    assert resolve_model_provider(ModelRef(id="echo-1"), merged) == "echo"


# ---- properties

_ids = st.sampled_from(["a", "b", "c", "m-1", "m-20250101"])
_providers = st.sampled_from(["p", "q", "r"])
_opt_bool = st.none() | st.booleans()
_opt_price = st.none() | st.decimals(min_value=0, max_value=100, places=2)
_models = st.builds(
    ModelInfo,
    provider=_providers,
    id=_ids,
    display_name=st.none() | st.sampled_from(["X", "Y"]),
    context_window=st.none() | st.integers(1, 10**6),
    max_output_tokens=st.none() | st.integers(1, 10**5),
    capabilities=st.builds(
        ModelCapabilities,
        tools=_opt_bool,
        vision=_opt_bool,
        json_schema=_opt_bool,
        reasoning_efforts=st.none() | st.sampled_from([[], ["low"], ["medium", "high"]]),
        reasoning_modes=st.none() | st.sampled_from([[], ["effort"], ["budget", "adaptive"]]),
        reasoning_off=_opt_bool,
    ),
    pricing=st.none()
    | st.builds(
        ModelPricing,
        input=_opt_price,
        output=_opt_price,
        cache_read=_opt_price,
        cache_write_1h=_opt_price,
    ),
    source=st.sampled_from(["static", "remote", "config"]),
)
_static = st.builds(
    lambda models: ModelCatalog(
        models=[msgspec.structs.replace(m, source="static") for m in models], snapshot="s"
    ),
    st.lists(_models, max_size=8),
)
_model_lists = st.lists(_models, max_size=8)


@settings(max_examples=150)
@given(static=_static, remote=_model_lists, config=_model_lists)
def test_merge_is_deterministic_sorted_and_idempotent(static, remote, config) -> None:
    once = merge_static_and_remote_catalog(static, remote, config)
    again = merge_static_and_remote_catalog(static, remote, config)
    assert export_catalog_json(once) == export_catalog_json(again)
    keys = [(m.provider, m.id) for m in once.models]
    assert keys == sorted(set(keys))
    every = {(m.provider, m.id) for m in [*static.models, *remote, *config]}
    assert set(keys) == every
    twice = merge_static_and_remote_catalog(once, remote, config)
    assert twice == once


@settings(max_examples=150)
@given(static=_static, remote=_model_lists)
def test_merge_never_overrides_a_static_value(static, remote) -> None:
    merged = {(m.provider, m.id): m for m in merge_static_and_remote_catalog(static, remote).models}
    seen: set[tuple[str, str]] = set()
    for s in static.models:
        key = (s.provider, s.id)
        if key in seen:  # a later duplicate static entry only fills gaps of the first
            continue
        seen.add(key)
        m = merged[key]
        for field in ("display_name", "context_window", "max_output_tokens"):
            if getattr(s, field) is not None:
                assert getattr(m, field) == getattr(s, field)
        for field in ModelCapabilities.__struct_fields__:
            if getattr(s.capabilities, field) is not None:
                assert getattr(m.capabilities, field) == getattr(s.capabilities, field)
        if s.pricing is not None:
            assert m.pricing is not None
            for field in ("input", "output", "cache_read", "cache_write_1h"):
                if getattr(s.pricing, field) is not None:
                    assert getattr(m.pricing, field) == getattr(s.pricing, field)
        assert m.source == "static"


# --------------------------------------------------------------------------- routing

ROUTING = ModelCatalog(
    models=[
        info("openai", "gpt-4o"),
        info("openrouter", "shared"),
        info("acme", "shared"),
        info("anthropic", "claude-x"),
        info("other", "claude-x-20250101"),
    ]
)


def test_explicit_provider_wins_even_for_models_the_catalog_lacks() -> None:
    assert resolve_model_provider(ModelRef(provider="openai", id="brand-new"), ROUTING) == "openai"
    assert resolve_model_provider(ModelRef(provider="acme", id="gpt-4o"), ROUTING, ["acme"]) == (
        "acme"
    )


def test_explicit_unknown_provider_is_a_routing_error() -> None:
    with pytest.raises(RoutingError) as err:
        resolve_model_provider(ModelRef(provider="nope", id="m"), ROUTING, ["openai", "echo"])
    assert err.value.message == "unknown provider `nope`; configured: echo, openai"


def test_bare_id_with_one_provider_resolves() -> None:
    assert resolve_model_provider(ModelRef(id="gpt-4o"), ROUTING) == "openai"


def test_bare_id_with_several_providers_lists_candidates() -> None:
    with pytest.raises(RoutingError) as err:
        resolve_model_provider(ModelRef(id="shared"), ROUTING)
    assert err.value.candidates == ["acme", "openrouter"]
    assert "provider/model" in err.value.message
    assert "`acme/shared`" in err.value.message and "`openrouter/shared`" in err.value.message
    assert error_data(err.value)["candidates"] == ["acme", "openrouter"]


def test_configured_providers_narrow_the_candidates() -> None:
    assert resolve_model_provider(ModelRef(id="shared"), ROUTING, {"openrouter", "x"}) == (
        "openrouter"
    )


def test_unknown_bare_id_says_how_to_name_a_provider() -> None:
    with pytest.raises(RoutingError) as err:
        resolve_model_provider(ModelRef(id="mystery"), ROUTING)
    assert err.value.candidates == []
    assert "unknown model `mystery`" in err.value.message
    assert "provider/model" in err.value.message and "`openai/mystery`" in err.value.message


def test_model_listed_only_by_unconfigured_providers() -> None:
    with pytest.raises(RoutingError) as err:
        resolve_model_provider(ModelRef(id="gpt-4o"), ROUTING, ["echo"])
    assert "not configured" in err.value.message and "openai" in err.value.message
    assert "`echo/gpt-4o`" in err.value.message


def test_dated_ids_resolve_but_exact_ids_are_preferred() -> None:
    assert resolve_model_provider(ModelRef(id="gpt-4o-2024-08-06"), ROUTING) == "openai"
    # "claude-x-20250101" is exactly an id of `other`; the undated `anthropic` entry does not tie
    assert resolve_model_provider(ModelRef(id="claude-x-20250101"), ROUTING) == "other"
    assert resolve_model_provider(ModelRef(id="claude-x-20990101"), ROUTING) == "anthropic"


def test_static_catalog_routes_common_ids() -> None:
    catalog = load_static_catalog()
    for model_id, provider in [
        ("gpt-4o", "openai"),
        ("claude-sonnet-4-5", "anthropic"),
        ("claude-sonnet-4-5-20250929", "anthropic"),
        ("anthropic/claude-sonnet-4", "openrouter"),
    ]:
        assert resolve_model_provider(ModelRef(id=model_id), catalog) == provider


# --------------------------------------------------------------------------- export


def test_export_is_byte_identical_and_independent_of_input_order() -> None:
    models = [
        info("b", "x", pricing=ModelPricing(input=D("0.10"))),
        info("a", "y", display_name="Y"),
        info("a", "x"),
    ]
    one = ModelCatalog(models=models, snapshot="snap")
    other = ModelCatalog(models=list(reversed(models)), snapshot="snap")
    assert export_catalog_json(one) == export_catalog_json(one) == export_catalog_json(other)
    data = json.loads(export_catalog_json(one))
    assert [(m["provider"], m["id"]) for m in data["models"]] == [
        ("a", "x"),
        ("a", "y"),
        ("b", "x"),
    ]
    assert data["snapshot"] == "snap"
    assert data["models"][2]["pricing"]["input"] == "0.10"  # decimal string, never a float


def test_export_round_trips_and_equals_the_builtins_object() -> None:
    catalog = merge_static_and_remote_catalog(
        ModelCatalog(models=[info("p", "m", pricing=ModelPricing(input=D("1.5")))], snapshot="s"),
        [info("q", "n", capabilities=ModelCapabilities(vision=True))],
    )
    exported = export_catalog_json(catalog)
    assert msgspec.json.decode(exported, type=ModelCatalog) == catalog
    assert json.loads(exported) == catalog_to_builtins(catalog)
    assert exported.endswith(b"\n") and exported.count(b"\n") == len(catalog.models) + 5


def test_export_of_an_empty_catalog_is_valid_json() -> None:
    assert json.loads(export_catalog_json(ModelCatalog())) == {"snapshot": None, "models": []}
    assert catalog_to_builtins(ModelCatalog()) == {"models": [], "snapshot": None}


def test_protocol_catalog_example_is_taken_from_the_data_file() -> None:
    text = (Path(__file__).resolve().parent.parent / "protocol.md").read_text("utf-8")
    section = text.split("\n## 4. Catalog", 1)[1].split("\n## ", 1)[0]
    [body] = re.findall(r"<!-- decode: ModelCatalog -->\n```json\n(.*?)\n```", section, re.S)
    example = msgspec.json.decode(body, type=ModelCatalog)
    static = load_static_catalog()
    assert example.snapshot == static.snapshot
    assert [find_model(static, m.provider, m.id) for m in example.models] == example.models
    data_lines = set(export_catalog_json(static).splitlines())
    model_lines = [
        line.rstrip(b",") for line in body.encode().splitlines() if line.startswith(b'{"provider"')
    ]
    assert model_lines and all(
        line + b"," in data_lines or line in data_lines for line in model_lines
    )
