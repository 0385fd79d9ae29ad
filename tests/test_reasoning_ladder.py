"""The effort ladder end to end: bad input is refused before anything is sent, and the
capability pass applies the nearest effort the model accepts (protocol.md §1, §9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from provider_runtime.catalog import load_static_catalog
from provider_runtime.core.types import (
    REASONING_EFFORTS,
    Message,
    MessageRole,
    ModelCapabilities,
    ModelInfo,
    ModelRef,
    ProviderCapabilities,
    ProviderRequest,
    ReasoningConfig,
    ReasoningEffort,
    ToolCall,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.providers.anthropic import (
    ANTHROPIC_CAPABILITIES,
    EFFORT_BUDGETS,
    encode_anthropic_request,
)
from provider_runtime.providers.bedrock import BEDROCK_CAPABILITIES
from provider_runtime.providers.bedrock.encode import encode_bedrock_request
from provider_runtime.providers.google import encode_gemini_request
from provider_runtime.runtime.capabilities import prepare_request
from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import ANTHROPIC_OK, loopback_provider, reply
from tests.openapi import validate_request

CONFIG = """
[providers.local]
type = "openai_compatible"
base_url = "{url}/v1"
max_retries = 0
"""


@pytest.mark.parametrize(
    ("reasoning", "path"),
    [
        ({"effort": "ultra"}, "params.reasoning.effort"),
        ({"effort": "Minimal"}, "params.reasoning.effort"),
        ({"budget_tokens": -1}, "params.reasoning.budget_tokens"),
    ],
)
async def test_bad_reasoning_is_refused_with_its_path_and_nothing_is_sent(
    tmp_path: Path, reasoning: dict[str, object], path: str
) -> None:
    async with loopback_provider() as server:
        config = CONFIG.format(url=server.url)
        async with spawn_daemon(tmp_path, config=config, env=isolated_env(tmp_path)) as d:
            params = run_params("hi", model="local/m", reasoning=reasoning)
            error = (await d.request("runtime/run", params))["error"]
            assert error["code"] == -32602
            assert error["data"] == {"path": path}
            assert server.exchanges == []  # nothing was sent
            # Every rung of the ladder is accepted and reaches the wire as asked (no catalog
            # data for this model: the effort passes through).
            for effort in ("none", "minimal", "xhigh", "max"):
                params = run_params("hi", model="local/m", reasoning={"effort": effort})
                assert "result" in await d.request("runtime/run", params)
    sent = [ex.json["reasoning_effort"] for ex in server.exchanges]
    assert sent == ["none", "minimal", "xhigh", "max"]


ANTHROPIC_CONFIG = """
[providers.anthropic]
base_url = "{url}/v1"
max_retries = 0
"""


async def test_the_daemon_applies_the_catalog_levels_and_reports_the_adjustment(
    tmp_path: Path,
) -> None:
    """Opus 4.5 (bundled catalog: levels low..high, no adaptive thinking) asked for `max`: the
    body carries `high` as `output_config.effort`, and the answer says so."""
    async with loopback_provider(default=reply(200, ANTHROPIC_OK)) as server:
        config = ANTHROPIC_CONFIG.format(url=server.url)
        env = isolated_env(tmp_path, ANTHROPIC_API_KEY="sk-ant-test")
        async with spawn_daemon(tmp_path, config=config, env=env) as d:
            params = run_params(
                "hi", model="anthropic/claude-opus-4-5", reasoning={"effort": "max"}
            )
            result = (await d.request("runtime/run", params))["result"]
    [sent] = server.exchanges
    assert sent.json["output_config"] == {"effort": "high"}
    assert sent.json["thinking"] == {"type": "enabled", "budget_tokens": 16384}
    adjusted = [w for w in result["warnings"] if w["code"] == "reasoning.effort_adjusted"]
    assert [w["details"] for w in adjusted] == [{"asked": "max", "applied": "high"}]


REF = ModelRef(provider="acme", id="m-1")
PROVIDER = ProviderCapabilities(reasoning=True)


def model(**caps: object) -> ModelInfo:
    return ModelInfo(provider="acme", id="m-1", capabilities=ModelCapabilities(**caps))  # type: ignore[arg-type]


def ask(effort: ReasoningEffort | None = None, budget: int | None = None) -> ProviderRequest:
    return ProviderRequest(
        model="acme/m-1",
        messages=[Message(role=MessageRole.USER, content="hi")],
        reasoning=ReasoningConfig(effort=effort, budget_tokens=budget),
    )


GPT_5_1 = model(reasoning_efforts=["low", "medium", "high"], reasoning_off=True)
GPT_5 = model(reasoning_efforts=["minimal", "low", "medium", "high"], reasoning_off=False)
OPUS_4_5 = model(
    reasoning_efforts=["low", "medium", "high"],
    reasoning_modes=["budget", "effort"],
    reasoning_off=True,
)
FABLE_5 = model(
    reasoning_efforts=["low", "medium", "high", "xhigh", "max"],
    reasoning_modes=["effort", "adaptive"],
    reasoning_off=False,
)
SONNET_4_5 = model(reasoning_efforts=[], reasoning_modes=["budget"], reasoning_off=True)


@pytest.mark.parametrize(
    ("info", "asked", "applied"),
    [
        (GPT_5_1, "minimal", "low"),
        (GPT_5_1, "xhigh", "high"),
        (GPT_5_1, "max", "high"),
        (OPUS_4_5, "max", "high"),
        (FABLE_5, "minimal", "low"),
        (GPT_5, "xhigh", "high"),
    ],
)
def test_an_effort_the_model_lacks_becomes_the_nearest_with_a_warning(
    info: ModelInfo, asked: ReasoningEffort, applied: ReasoningEffort
) -> None:
    prepared, warnings = prepare_request(ask(asked), REF, info, PROVIDER)
    assert prepared.reasoning == ReasoningConfig(effort=applied)
    assert [(w.code, w.details) for w in warnings] == [
        ("reasoning.effort_adjusted", {"asked": asked, "applied": applied})
    ]


@pytest.mark.parametrize("info", [GPT_5_1, FABLE_5, None, model()])
def test_an_offered_effort_or_unknown_data_passes_through_silently(info: ModelInfo | None) -> None:
    prepared, warnings = prepare_request(ask("high"), REF, info, PROVIDER)
    assert prepared.reasoning == ReasoningConfig(effort="high")
    assert warnings == []
    prepared, warnings = prepare_request(ask("max"), REF, model(), PROVIDER)
    assert prepared.reasoning == ReasoningConfig(effort="max") and warnings == []


def test_none_turns_reasoning_off_where_it_can_and_warns_where_it_cannot() -> None:
    prepared, warnings = prepare_request(ask("none"), REF, GPT_5_1, PROVIDER)
    assert prepared.reasoning == ReasoningConfig(effort="none") and warnings == []
    for info, weakest in ((GPT_5, "minimal"), (FABLE_5, "low")):
        prepared, warnings = prepare_request(ask("none"), REF, info, PROVIDER)
        assert prepared.reasoning == ReasoningConfig(effort=weakest)  # type: ignore[arg-type]
        assert [(w.code, w.details) for w in warnings] == [
            ("reasoning.off_unsupported", {"asked": "none", "applied": weakest})
        ]


def test_a_budget_model_keeps_the_effort_for_its_encoder_to_turn_into_a_budget() -> None:
    prepared, warnings = prepare_request(ask("max"), REF, SONNET_4_5, PROVIDER)
    assert prepared.reasoning == ReasoningConfig(effort="max") and warnings == []


def test_a_budget_is_removed_for_a_model_that_takes_none() -> None:
    prepared, warnings = prepare_request(ask("low", budget=5000), REF, FABLE_5, PROVIDER)
    assert prepared.reasoning == ReasoningConfig(effort="low")
    assert [(w.code, w.details) for w in warnings] == [
        ("reasoning.budget_unsupported", {"budget_tokens": 5000})
    ]
    # A model that takes budgets keeps it; a zero budget (reasoning off) is always kept.
    prepared, warnings = prepare_request(ask(budget=5000), REF, OPUS_4_5, PROVIDER)
    assert prepared.reasoning == ReasoningConfig(budget_tokens=5000) and warnings == []
    prepared, warnings = prepare_request(ask(budget=0), REF, OPUS_4_5, PROVIDER)
    assert prepared.reasoning == ReasoningConfig(budget_tokens=0) and warnings == []


def test_a_removed_reasoning_setting_is_not_adjusted_too() -> None:
    prepared, warnings = prepare_request(
        ask("minimal"), REF, GPT_5_1, ProviderCapabilities(reasoning=False)
    )
    assert prepared.reasoning is None
    assert [w.code for w in warnings] == ["capability.reasoning_removed"]


# --------------------------------------------------------------------------- the real catalog

_CATALOG = load_static_catalog()
_ANTHROPIC_REASONING = sorted(
    (m for m in _CATALOG.models if m.provider == "anthropic" and m.capabilities.reasoning_modes),
    key=lambda m: m.id,
)
_FABLE_5 = next(m for m in _ANTHROPIC_REASONING if m.id == "claude-fable-5")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(info=_FABLE_5, effort=None, budget=0)  # "no reasoning" as a budget, always-on model
@given(
    info=st.sampled_from(_ANTHROPIC_REASONING),
    effort=st.sampled_from([None, *REASONING_EFFORTS]),
    budget=st.none() | st.integers(0, 40000),
)
def test_every_anthropic_catalog_model_gets_a_body_the_api_accepts(
    info: ModelInfo, effort: ReasoningEffort | None, budget: int | None
) -> None:
    """Any rung or budget on any Anthropic model the catalog describes: a body valid for the
    2026-05 spec, a level only from the model's own levels, adaptive thinking only where the
    model has it, a budget only where it takes one, disabled thinking only where it can be off."""
    request = msgspec.structs.replace(ask(effort, budget), model=f"anthropic/{info.id}")
    ref = ModelRef(provider="anthropic", id=info.id)
    prepared, _ = prepare_request(request, ref, info, ANTHROPIC_CAPABILITIES)
    body, _ = encode_anthropic_request(prepared, info.id, model_info=info)
    validate_request("anthropic-2026-05", "/v1/messages", body)
    caps = info.capabilities
    modes = caps.reasoning_modes or []
    sent = body.get("output_config", {}).get("effort")
    assert sent is None or sent in (caps.reasoning_efforts or [])
    kind = body.get("thinking", {}).get("type")
    assert kind != "adaptive" or "adaptive" in modes
    assert kind != "enabled" or "budget" in modes
    assert kind != "disabled" or caps.reasoning_off is not False


def test_a_zero_budget_on_a_model_that_always_reasons_is_treated_as_none() -> None:
    prepared, warnings = prepare_request(ask(budget=0), REF, FABLE_5, PROVIDER)
    assert prepared.reasoning == ReasoningConfig(effort="low")
    assert [(w.code, w.details) for w in warnings] == [
        ("reasoning.off_unsupported", {"asked": "none", "applied": "low"})
    ]


def test_none_with_a_budget_turns_thinking_off_and_says_the_budget_was_not_sent() -> None:
    request = msgspec.structs.replace(ask("none", budget=5000), model="anthropic/claude-x")
    body, warnings = encode_anthropic_request(request, "claude-x")
    assert body["thinking"] == {"type": "disabled"}
    assert [(w.code, w.details) for w in warnings] == [
        ("unsupported.reasoning_budget", {"budget_tokens": 5000})
    ]


async def test_echo_takes_no_reasoning_and_says_so_for_every_rung(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        for effort in REASONING_EFFORTS:
            params = run_params("hi", reasoning={"effort": effort})
            result = (await d.request("runtime/run", params))["result"]
            assert [w["code"] for w in result["warnings"]] == ["capability.reasoning_removed"]


@pytest.mark.parametrize("effort", REASONING_EFFORTS)
def test_bedrock_claude_takes_every_rung(effort: ReasoningEffort) -> None:
    """Bedrock's Claude thinking reuses the Anthropic budgets: each rung has one, and `none`
    turns thinking off explicitly, as on Anthropic's own API."""
    model = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    request = msgspec.structs.replace(ask(effort), model=f"bedrock/{model}")
    body, _ = encode_bedrock_request(request, model)
    thinking = body.get("additionalModelRequestFields", {}).get("thinking")
    if effort == "none":
        assert thinking == {"type": "disabled"} and "inferenceConfig" not in body
    else:
        assert thinking == {"type": "enabled", "budget_tokens": EFFORT_BUDGETS[effort]}


def _claude(model_id: str, efforts: list[ReasoningEffort], modes: list[str]) -> ModelInfo:
    caps = msgspec.convert(
        {"reasoning": True, "reasoning_efforts": efforts, "reasoning_modes": modes},
        ModelCapabilities,
    )
    return ModelInfo(provider="x", id=model_id, max_output_tokens=128000, capabilities=caps)


CLAUDES = [
    _claude("claude-opus-4-7", ["low", "medium", "high", "xhigh", "max"], ["effort", "adaptive"]),
    _claude("claude-opus-4-5", ["low", "medium", "high"], ["budget", "effort"]),
    _claude("claude-sonnet-4-5", [], ["budget"]),
]


@pytest.mark.parametrize("info", CLAUDES, ids=lambda i: i.id)
@pytest.mark.parametrize("effort", REASONING_EFFORTS)
@pytest.mark.parametrize("budget", [None, 3000])
def test_bedrock_claude_thinks_exactly_as_anthropic_decides(
    info: ModelInfo, effort: ReasoningEffort, budget: int | None
) -> None:
    """One decision for Claude on both platforms: the adaptive form and the effort for the models
    whose catalog modes say so, budgets for the others, the same max_tokens and warnings."""
    request = ask(effort, budget)
    sent: list[tuple[object, ...]] = []
    for provider, caps, model in (
        ("anthropic", ANTHROPIC_CAPABILITIES, info.id),
        ("bedrock", BEDROCK_CAPABILITIES, f"us.anthropic.{info.id}-v1:0"),
    ):
        ref = ModelRef(provider=provider, id=model)
        fitted, warnings = prepare_request(request, ref, info, caps)
        if provider == "anthropic":
            encoded_body, encoded = encode_anthropic_request(fitted, model, model_info=info)
            body: dict[str, Any] = dict(encoded_body)
            fields = {k: body[k] for k in ("thinking", "output_config") if k in body}
            max_tokens = (
                body["max_tokens"]
                if fields.get("thinking", {}).get("type")
                in (
                    "enabled",
                    "adaptive",
                )
                else None
            )
            codes = [w.code for w in [*warnings, *encoded]]
        else:
            native, encoded = encode_bedrock_request(fitted, model, model_info=info)
            fields = dict(native.get("additionalModelRequestFields", {}))
            max_tokens = native.get("inferenceConfig", {}).get("maxTokens")
            codes = [w.code for w in [*warnings, *encoded]]
        sent.append((fields, max_tokens, codes))
    anthropic, bedrock = sent
    assert bedrock == anthropic


@pytest.mark.parametrize(
    ("model", "effort", "thinking", "codes"),
    [
        # Gemini 2.5: budgets; `none` is budget 0 (off), rungs above high get the largest
        ("gemini-2.5-flash", "none", {"thinkingBudget": 0}, []),
        ("gemini-2.5-flash", "minimal", {"includeThoughts": True, "thinkingBudget": 512}, []),
        (
            "gemini-2.5-flash",
            "max",
            {"includeThoughts": True, "thinkingBudget": 24576},
            ["reasoning.effort_adjusted"],
        ),
        # Gemini 3: levels; no off level, nothing above HIGH
        (
            "gemini-3-pro-preview",
            "none",
            {"includeThoughts": True, "thinkingLevel": "MINIMAL"},
            ["reasoning.off_unsupported"],
        ),
        ("gemini-3-pro-preview", "high", {"includeThoughts": True, "thinkingLevel": "HIGH"}, []),
        (
            "gemini-3-pro-preview",
            "xhigh",
            {"includeThoughts": True, "thinkingLevel": "HIGH"},
            ["reasoning.effort_adjusted"],
        ),
    ],
)
def test_gemini_takes_every_rung(
    model: str, effort: ReasoningEffort, thinking: dict[str, object], codes: list[str]
) -> None:
    request = msgspec.structs.replace(ask(effort), model=f"google/{model}")
    body, warnings = encode_gemini_request(request, model, provider="google")
    assert body["generationConfig"]["thinkingConfig"] == thinking
    assert [w.code for w in warnings] == codes
    validate_request(
        "gemini", "/v1beta/models/{model}:generateContent", {"model": f"models/{model}", **body}
    )


def test_bedrock_claude_skips_thinking_where_the_history_forbids_it() -> None:
    """Anthropic's history rule holds on Bedrock too: tool calls made without a replayable
    thinking block cannot be answered with thinking on (read from the Converse turns)."""
    model = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    request = ProviderRequest(
        model=f"bedrock/{model}",
        messages=[
            Message(role=MessageRole.USER, content="Weather?"),
            Message(
                role=MessageRole.ASSISTANT,
                content=[ToolCall(id="t1", name="weather", arguments={})],
            ),
            Message(role=MessageRole.TOOL, content=[ToolResult(tool_call_id="t1", content="sun")]),
        ],
        tools=[ToolDefinition(name="weather")],
        reasoning=ReasoningConfig(effort="high"),
    )
    body, warnings = encode_bedrock_request(request, model)
    assert "additionalModelRequestFields" not in body and "inferenceConfig" not in body
    assert [w.message for w in warnings] == [
        "thinking not enabled: the tool calls being answered were made without a replayable "
        "thinking block"
    ]
