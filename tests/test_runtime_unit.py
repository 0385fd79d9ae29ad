"""Registry and runtime orchestration over fake adapters (no HTTP)."""

from __future__ import annotations

import asyncio
import gc
import itertools
from decimal import Decimal

import pytest

from provider_runtime import ProviderRuntime
from provider_runtime.catalog import CatalogIndex
from provider_runtime.core import (
    ConfigError,
    DiscoveryOptions,
    ErrorKind,
    JsonFormat,
    JsonSchemaFormat,
    Message,
    MessageRole,
    ModelCapabilities,
    ModelCatalog,
    ModelInfo,
    ModelPricing,
    ModelRef,
    PricingSource,
    ProviderCapabilities,
    ProviderError,
    ProviderRequest,
    RoutingError,
    SystemPlacement,
    ToolDefinition,
)
from provider_runtime.pricing import PriceRule, PricingTable
from provider_runtime.registry import ProviderRegistry

from .fakes import DictTokens, FakeAdapter

CATALOG = ModelCatalog(
    models=[
        ModelInfo(
            provider="alpha",
            id="a-1",
            capabilities=ModelCapabilities(tools=True, vision=True, json_schema=True),
            pricing=ModelPricing(input=Decimal("1"), output=Decimal("2")),
        ),
        ModelInfo(provider="alpha", id="shared"),
        ModelInfo(provider="beta", id="shared"),
        ModelInfo(
            provider="beta",
            id="plain",
            capabilities=ModelCapabilities(tools=False, json_schema=False),
        ),
    ],
    snapshot="test-snapshot",
)


def user(text: str) -> Message:
    return Message(role=MessageRole.USER, content=text)


def make_runtime(*adapters: FakeAdapter, tokens: DictTokens | None = None) -> ProviderRuntime:
    builder = ProviderRuntime.builder().catalog(CATALOG)
    for a in adapters:
        builder.adapter(a)
    return builder.token_provider(tokens or DictTokens({})).build()


def test_registry_rejects_a_second_adapter_with_the_same_id() -> None:
    registry = ProviderRegistry([FakeAdapter("alpha")])
    with pytest.raises(ConfigError, match="registered twice"):
        registry.register(FakeAdapter("alpha"))


def test_registry_routes_explicit_bare_and_slashed_ids() -> None:
    registry = ProviderRegistry([FakeAdapter("alpha"), FakeAdapter("beta")])
    assert registry.resolve_provider("beta/x", CATALOG) == ModelRef(provider="beta", id="x")
    assert registry.resolve_provider("a-1", CATALOG) == ModelRef(provider="alpha", id="a-1")
    with pytest.raises(RoutingError) as ambiguous:
        registry.resolve_provider("shared", CATALOG)
    assert sorted(ambiguous.value.candidates) == ["alpha", "beta"]
    with pytest.raises(RoutingError, match="unknown provider `gamma`"):
        registry.resolve_provider("gamma/model", CATALOG)
    with pytest.raises(RoutingError, match="unknown provider"):
        registry.resolve_adapter("gamma")


def test_registry_routes_a_slashed_model_id_of_an_aggregator() -> None:
    catalog = ModelCatalog(models=[ModelInfo(provider="router", id="meta-llama/llama-3")])
    registry = ProviderRegistry([FakeAdapter("router")])
    assert registry.resolve_provider("meta-llama/llama-3", catalog) == ModelRef(
        provider="router", id="meta-llama/llama-3"
    )


async def test_run_routes_prices_and_reports_catalog_provenance() -> None:
    alpha = FakeAdapter("alpha")
    rt = make_runtime(alpha, FakeAdapter("beta"))
    resp = await rt.run(ProviderRequest(model="a-1", messages=[user("hi")]))
    assert resp.provider == "alpha"
    assert resp.output.text == "alpha:hi"
    request, context = alpha.calls[0]
    assert context.model == ModelRef(provider="alpha", id="a-1")
    assert context.model_info is not None and context.model_info.id == "a-1"
    assert request.model == ModelRef(provider="alpha", id="a-1")
    # 10 input at $1/M + 5 output at $2/M
    assert resp.cost is not None
    assert resp.cost.total == Decimal("0.00002")
    assert resp.cost.source == PricingSource.CATALOG
    assert resp.cost.snapshot == "test-snapshot"


async def test_user_price_rule_beats_the_catalog() -> None:
    rule = PriceRule(
        provider="alpha", model="a-*", pricing=ModelPricing(input=Decimal("3"), output=Decimal("3"))
    )
    rt = (
        ProviderRuntime.builder()
        .catalog(CATALOG)
        .adapter(FakeAdapter("alpha"))
        .pricing_table(PricingTable([rule], CatalogIndex(CATALOG)))
        .token_provider(DictTokens({}))
        .build()
    )
    resp = await rt.run(ProviderRequest(model="alpha/a-1", messages=[user("hi")]))
    assert resp.cost is not None and resp.cost.source == PricingSource.USER_CONFIG
    assert resp.cost.total == Decimal("0.000045")


async def test_unpriced_model_gives_null_cost_and_a_warning() -> None:
    rt = make_runtime(FakeAdapter("beta"))
    resp = await rt.run(ProviderRequest(model="beta/plain", messages=[user("hi")]))
    assert resp.cost is None
    assert [w.code for w in resp.warnings] == ["pricing.missing"]


async def test_capabilities_adapt_the_request_with_warnings() -> None:
    beta = FakeAdapter("beta")
    rt = make_runtime(beta)
    request = ProviderRequest(
        model="beta/plain",
        messages=[user("hi")],
        tools=[ToolDefinition(name="lookup")],
        response_format=JsonSchemaFormat(name="out", schema={"type": "object"}),
    )
    resp = await rt.run(request)
    sent, _ = beta.calls[0]
    assert sent.tools == [] and sent.tool_choice is None
    assert sent.response_format == JsonFormat()
    codes = {w.code for w in resp.warnings}
    assert {"capability.tools_removed", "capability.json_schema_downgraded"} <= codes


async def test_handoff_runs_for_the_target_provider() -> None:
    caps = ProviderCapabilities(
        system_placement=SystemPlacement.TOP_LEVEL, requires_alternation=True
    )
    alpha = FakeAdapter("alpha", capabilities=caps)
    rt = make_runtime(alpha)
    messages = [user("one"), Message(role=MessageRole.SYSTEM, content="be brief"), user("two")]
    resp = await rt.run(ProviderRequest(model="alpha/a-1", messages=messages))
    sent, _ = alpha.calls[0]
    assert sent.messages[0].role == MessageRole.SYSTEM
    roles = [m.role for m in sent.messages[1:]]
    assert all(a != b for a, b in itertools.pairwise(roles))
    assert any(w.code.startswith("handoff.") for w in resp.warnings)


async def test_missing_credential_fails_before_the_adapter_is_called() -> None:
    alpha = FakeAdapter("alpha")
    rt = make_runtime(alpha, tokens=DictTokens({}, required={"alpha"}))
    with pytest.raises(ConfigError, match="ALPHA_KEY"):
        await rt.run(ProviderRequest(model="alpha/a-1", messages=[user("hi")]))
    assert alpha.calls == []


async def test_credential_is_asked_per_call_so_rotation_needs_no_restart() -> None:
    alpha = FakeAdapter("alpha")
    tokens = DictTokens({"alpha": "k1"})
    rt = make_runtime(alpha, tokens=tokens)
    await rt.run(ProviderRequest(model="alpha/a-1", messages=[user("hi")]))
    tokens.keys["alpha"] = "k2"
    await rt.run(ProviderRequest(model="alpha/a-1", messages=[user("hi")]))
    seen = [ctx.credential.reveal() for _, ctx in alpha.calls if ctx.credential]
    assert seen == ["k1", "k2"]


async def test_run_keeps_no_state_between_calls() -> None:
    alpha = FakeAdapter("alpha")
    rt = make_runtime(alpha)
    before = {k: v for k, v in vars(rt).items()}
    first = await rt.run(ProviderRequest(model="alpha/a-1", messages=[user("one")]))
    second = await rt.run(ProviderRequest(model="alpha/a-1", messages=[user("two")]))
    assert vars(rt) == before  # no attribute added or rebound by a call
    assert first.output.text == "alpha:one" and second.output.text == "alpha:two"
    assert len(alpha.calls[1][0].messages) == 1  # the first call's history was not carried over


async def test_concurrent_calls_each_get_their_own_answer() -> None:
    alpha = FakeAdapter("alpha", delay=0.001)
    rt = make_runtime(alpha)
    requests = [ProviderRequest(model="alpha/a-1", messages=[user(f"m{i}")]) for i in range(50)]
    answers = await asyncio.gather(*(rt.run(r) for r in requests))
    assert [a.output.text for a in answers] == [f"alpha:m{i}" for i in range(50)]


async def test_discovery_is_static_first_and_survives_a_failing_provider() -> None:
    remote = ModelInfo(provider="alpha", id="a-new", source="remote", context_window=1000)
    alpha = FakeAdapter("alpha", models=[remote])
    beta = FakeAdapter(
        "beta", fail_discovery=ProviderError(ErrorKind.SERVER, "boom", provider="beta", status=500)
    )
    rt = make_runtime(alpha, beta)
    static_only = await rt.discover_models()
    assert [m.id for m in static_only.models if m.provider == "alpha"] == ["a-1", "shared"]
    assert static_only.warnings == []
    assert alpha.calls == []  # nothing remote unless asked

    enriched = await rt.discover_models(DiscoveryOptions(remote=True))
    assert [m.id for m in enriched.models if m.provider == "alpha"] == ["a-1", "a-new", "shared"]
    assert [w.code for w in enriched.warnings] == ["discovery.failed"]
    assert enriched.warnings[0].details["provider"] == "beta"
    assert [m.provider for m in enriched.models] == sorted(m.provider for m in enriched.models)

    only_beta = await rt.discover_models(DiscoveryOptions(providers=["beta"]))
    assert {m.provider for m in only_beta.models} == {"beta"}


async def test_export_catalog_is_deterministic() -> None:
    rt1 = make_runtime(FakeAdapter("alpha"))
    rt2 = make_runtime(FakeAdapter("alpha"))
    gc.collect()
    assert rt1.export_catalog_json() == rt2.export_catalog_json()
    assert b"a-1" in rt1.export_catalog_json()
