"""Canonical types: JSON round trips, the wire shapes of protocol.md, strict decoding."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from provider_runtime.core import types as t
from provider_runtime.core.types import (
    AdapterContext,
    AssistantOutput,
    CacheBreakpoint,
    CacheSupport,
    CostBreakdown,
    DiscoveryOptions,
    FinishReason,
    ImagePart,
    JsonFormat,
    JsonSchemaFormat,
    ListedModel,
    Message,
    MessageRole,
    ModelCapabilities,
    ModelCatalog,
    ModelInfo,
    ModelPricing,
    ModelRef,
    NamedToolChoice,
    PartSignature,
    PriceTier,
    PricingSource,
    ProviderCapabilities,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
    RateLimit,
    RateLimitWindow,
    ReasoningConfig,
    ReasoningPart,
    Secret,
    SystemPlacement,
    TextFormat,
    TextPart,
    TokenCount,
    ToolCall,
    ToolChoiceMode,
    ToolDefinition,
    ToolResult,
    Usage,
    parse_model_ref,
)


def decode(raw: str | dict[str, Any], kind: Any) -> Any:
    data = raw if isinstance(raw, str) else json.dumps(raw)
    return msgspec.json.decode(data, type=kind)


def as_json(value: Any) -> Any:
    return json.loads(msgspec.json.encode(value))


# --------------------------------------------------------------------------- round trips

SAMPLES: list[Any] = [
    ModelRef(id="gpt-4o"),
    ModelRef(provider="openrouter", id="openai/gpt-4o"),
    TextPart(text="hello"),
    ImagePart(url="https://example.com/cat.png"),
    ImagePart(data="aGVsbG8=", media_type="image/png"),
    ToolCall(id="call_1", name="get_weather", arguments={"city": "Paris", "days": [1, 2]}),
    ToolCall(id="call_2", name="broken", arguments={}, raw_arguments="{not json"),
    PartSignature(provider="google", model="gemini-3-pro-preview", value="CiQBjz1rX"),
    ToolCall(
        id="call_3",
        name="get_weather",
        signature=PartSignature(provider="google", model="gemini-3-pro-preview", value="CiQB"),
    ),
    TextPart(
        text="done", signature=PartSignature(provider="google", model="gemini-2.5-pro", value="s")
    ),
    ToolResult(tool_call_id="call_1", content="18C"),
    ToolResult(
        tool_call_id="call_1",
        content=[TextPart(text="see"), ImagePart(url="https://example.com/x.png")],
        is_error=True,
    ),
    ReasoningPart(text="thinking", signature="sig", provider="anthropic", model="claude-x"),
    ReasoningPart(redacted=True, data="opaque"),
    Message(role=MessageRole.USER, content="hi"),
    Message(
        role=MessageRole.ASSISTANT,
        content=[TextPart(text="calling"), ToolCall(id="c", name="f", arguments={"a": 1})],
    ),
    ToolDefinition(name="f", description="does f", parameters={"type": "object"}, strict=True),
    NamedToolChoice(name="f"),
    TextFormat(),
    JsonFormat(),
    JsonSchemaFormat(name="out", schema={"type": "object"}, strict=True, description="d"),
    ReasoningConfig(effort="high", budget_tokens=2048),
    ProviderRequest(
        model="openai/gpt-4o",
        messages=[
            Message(role=MessageRole.SYSTEM, content="be brief"),
            Message(role=MessageRole.USER, content="hi"),
        ],
        tools=[ToolDefinition(name="f")],
        tool_choice=ToolChoiceMode.REQUIRED,
        response_format=JsonFormat(),
        temperature=0.2,
        top_p=0.9,
        max_output_tokens=100,
        stop=["END"],
        reasoning=ReasoningConfig(effort="low"),
        metadata={"trace": "abc"},
    ),
    ProviderRequest(
        model=ModelRef(provider="anthropic", id="claude-sonnet-4-5"),
        messages=[Message(role=MessageRole.USER, content="hi")],
        tool_choice=NamedToolChoice(name="f"),
    ),
    Usage(
        input_tokens=10, output_tokens=5, cache_read_tokens=4, reasoning_tokens=2, total_tokens=15
    ),
    CostBreakdown(
        total=Decimal("0.0125"),
        source=PricingSource.CATALOG,
        input=Decimal("0.0025"),
        output=Decimal("0.01"),
        snapshot="snap",
        partial=True,
        missing_components=["cache_write"],
    ),
    ProviderRuntimeWarning(code="unsupported.stop", message="dropped", details={"n": 1}),
    AssistantOutput(content=[ReasoningPart(text="r"), TextPart(text="a")]),
    ProviderResponse(
        provider="openai",
        model="gpt-4o",
        output=AssistantOutput(content=[TextPart(text="hello")]),
        finish_reason=FinishReason.STOP,
        finish_reason_raw="stop",
        usage=Usage(input_tokens=3, output_tokens=1, total_tokens=4),
        cost=CostBreakdown(total=Decimal("0.00001"), source=PricingSource.USER_CONFIG),
        warnings=[ProviderRuntimeWarning(code="c", message="m")],
        request_id="req_1",
        rate_limit=RateLimit(
            requests=RateLimitWindow(limit=60, remaining=59, reset_seconds=1.0),
            tokens=RateLimitWindow(limit=150000, remaining=None, reset_seconds=None),
        ),
    ),
    RateLimitWindow(limit=None, remaining=0, reset_seconds=0.02),
    RateLimit(input_tokens=RateLimitWindow(remaining=1000)),
    TokenCount(
        input_tokens=12,
        exact=False,
        source="estimate",
        provider="echo",
        model="echo-1",
        context_window=32768,
        fits=True,
        warnings=[ProviderRuntimeWarning(code="c", message="m")],
    ),
    ModelCapabilities(tools=True, vision=False),
    PriceTier(above_input_tokens=200000, input=Decimal("6"), output=Decimal("22.5")),
    ModelPricing(input=Decimal("3"), output=Decimal("15"), tiers=[PriceTier(above_input_tokens=1)]),
    ModelInfo(
        provider="openai",
        id="gpt-4o",
        display_name="GPT-4o",
        context_window=128000,
        max_output_tokens=16384,
        capabilities=ModelCapabilities(tools=True),
        pricing=ModelPricing(input=Decimal("2.5")),
        source="config",
    ),
    ModelCatalog(models=[ModelInfo(provider="echo", id="echo-1")], snapshot="s"),
    ListedModel(provider="openai", id="o3-pro", source="static", api="responses"),
    DiscoveryOptions(remote=True, providers=["openai"]),
    ProviderCapabilities(
        reasoning=True,
        system_placement=SystemPlacement.TOP_LEVEL,
        tool_call_id_pattern="^[a-zA-Z0-9_-]+$",
        tool_call_id_max_length=64,
    ),
    CacheBreakpoint(ttl="1h"),
    CacheSupport(models="^gpt-5", breakpoints=4, ttls=("5m", "1h"), retention=("none",)),
]


@pytest.mark.parametrize("value", SAMPLES, ids=lambda v: type(v).__name__)
def test_json_round_trip(value: Any) -> None:
    encoded = msgspec.json.encode(value)
    assert msgspec.json.decode(encoded, type=type(value)) == value


def test_every_wire_struct_has_a_round_trip_sample() -> None:
    wire = {
        obj
        for name in t.__all__
        if isinstance(obj := getattr(t, name), type)
        and issubclass(obj, t.CanonicalStruct)
        and obj is not t.CanonicalStruct
    }
    assert wire - {type(v) for v in SAMPLES} == set()


def test_the_json_is_the_documented_shape() -> None:
    request = ProviderRequest(
        model="openai/gpt-4o",
        messages=[Message(role=MessageRole.USER, content="hi")],
        tool_choice=NamedToolChoice(name="f"),
        response_format=JsonSchemaFormat(name="o", schema={"type": "object"}),
    )
    data = as_json(request)
    assert data["model"] == "openai/gpt-4o"
    assert data["messages"] == [{"role": "user", "content": "hi"}]
    assert data["tool_choice"] == {"type": "tool", "name": "f"}
    assert data["response_format"] == {
        "type": "json_schema",
        "name": "o",
        "schema": {"type": "object"},
        "description": None,
        "strict": None,
    }
    call = as_json(ToolCall(id="c", name="f", arguments={"x": 1}))
    assert call == {
        "type": "tool_call",
        "id": "c",
        "name": "f",
        "arguments": {"x": 1},
        "raw_arguments": None,
        "signature": None,
    }


# --------------------------------------------------------------------------- content


def test_string_content_is_shorthand_for_one_text_part() -> None:
    message = decode({"role": "user", "content": "hello"}, Message)
    assert message.content == "hello"
    assert message.parts() == [TextPart(text="hello")]
    assert decode({"role": "user", "content": ""}, Message).parts() == []
    listed = decode({"role": "user", "content": [{"type": "text", "text": "hello"}]}, Message)
    assert listed.parts() == message.parts()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"type": "text", "text": "hi"}, TextPart(text="hi")),
        ({"type": "image", "url": "https://x/y.png"}, ImagePart(url="https://x/y.png")),
        (
            {"type": "image", "data": "aGk=", "media_type": "image/jpeg"},
            ImagePart(data="aGk=", media_type="image/jpeg"),
        ),
        (
            {"type": "tool_call", "id": "c1", "name": "f", "arguments": {"a": [1]}},
            ToolCall(id="c1", name="f", arguments={"a": [1]}),
        ),
        (
            {"type": "tool_result", "tool_call_id": "c1", "content": "ok", "is_error": True},
            ToolResult(tool_call_id="c1", content="ok", is_error=True),
        ),
        (
            {
                "type": "tool_result",
                "tool_call_id": "c1",
                "content": [{"type": "text", "text": "x"}],
            },
            ToolResult(tool_call_id="c1", content=[TextPart(text="x")]),
        ),
        (
            {
                "type": "reasoning",
                "text": "t",
                "signature": "s",
                "provider": "anthropic",
                "model": "m",
            },
            ReasoningPart(text="t", signature="s", provider="anthropic", model="m"),
        ),
        (
            {"type": "reasoning", "redacted": True, "data": "enc"},
            ReasoningPart(redacted=True, data="enc"),
        ),
    ],
    ids=lambda v: v["type"] if isinstance(v, dict) else "",
)
def test_each_part_type_decodes_by_its_tag(raw: dict[str, Any], expected: Any) -> None:
    assert decode(raw, t.ContentPart) == expected
    message = decode({"role": "assistant", "content": [raw]}, Message)
    assert message.parts() == [expected]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"type": "image"}, "exactly one of `url` or `data`"),
        ({"type": "image", "url": "u", "data": "d", "media_type": "m"}, "exactly one of"),
        ({"type": "image", "data": "aGk="}, "needs `media_type`"),
    ],
)
def test_image_part_needs_one_source(raw: dict[str, Any], problem: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=problem):
        decode({"role": "user", "content": [raw]}, Message)


def test_assistant_output_helpers() -> None:
    output = AssistantOutput(
        content=[
            ReasoningPart(text="hmm"),
            TextPart(text="a"),
            ToolCall(id="1", name="f"),
            TextPart(text="b"),
        ]
    )
    assert output.text == "ab"
    assert [c.id for c in output.tool_calls] == ["1"]


def test_uncached_input_tokens_never_negative() -> None:
    assert (
        Usage(input_tokens=10, cache_read_tokens=6, cache_write_tokens=3).uncached_input_tokens == 1
    )
    assert Usage(input_tokens=1, cache_read_tokens=6).uncached_input_tokens == 0


# --------------------------------------------------------------------------- models


def test_parse_model_ref_splits_at_the_first_slash() -> None:
    assert parse_model_ref("openrouter/openai/gpt-4o") == ModelRef(
        provider="openrouter", id="openai/gpt-4o"
    )
    assert parse_model_ref("anthropic/claude-sonnet-4-5") == ModelRef(
        provider="anthropic", id="claude-sonnet-4-5"
    )
    assert parse_model_ref("gpt-4o") == ModelRef(id="gpt-4o")
    ref = ModelRef(provider="openai", id="x")
    assert parse_model_ref(ref) is ref
    assert str(ModelRef(provider="openrouter", id="openai/gpt-4o")) == "openrouter/openai/gpt-4o"
    assert str(ModelRef(id="gpt-4o")) == "gpt-4o"


def test_model_string_and_object_forms() -> None:
    msgs = [{"role": "user", "content": "hi"}]
    as_string = decode({"model": "openrouter/openai/gpt-4o", "messages": msgs}, ProviderRequest)
    as_object = decode(
        {"model": {"provider": "openrouter", "id": "openai/gpt-4o"}, "messages": msgs},
        ProviderRequest,
    )
    assert as_string.model == "openrouter/openai/gpt-4o"
    assert isinstance(as_object.model, ModelRef)
    assert (
        as_string.model_ref()
        == as_object.model_ref()
        == ModelRef(provider="openrouter", id="openai/gpt-4o")
    )
    bare = decode({"model": {"id": "gpt-4o"}, "messages": msgs}, ProviderRequest)
    assert bare.model_ref().provider is None


def test_tool_choice_and_response_format_forms() -> None:
    base = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
    for mode in ("auto", "none", "required"):
        assert decode({**base, "tool_choice": mode}, ProviderRequest).tool_choice == ToolChoiceMode(
            mode
        )
    named = decode({**base, "tool_choice": {"type": "tool", "name": "f"}}, ProviderRequest)
    assert named.tool_choice == NamedToolChoice(name="f")
    assert (
        decode({**base, "response_format": {"type": "text"}}, ProviderRequest).response_format
        == TextFormat()
    )
    assert (
        decode({**base, "response_format": {"type": "json"}}, ProviderRequest).response_format
        == JsonFormat()
    )
    schema = decode(
        {
            **base,
            "response_format": {"type": "json_schema", "name": "n", "schema": {}, "strict": True},
        },
        ProviderRequest,
    )
    assert schema.response_format == JsonSchemaFormat(name="n", schema={}, strict=True)


def test_tool_definition_defaults_to_an_empty_object_schema() -> None:
    assert decode({"name": "f"}, ToolDefinition).parameters == {"type": "object", "properties": {}}


# --------------------------------------------------------------------------- strictness

ONE = [{"role": "user", "content": "x"}]  # a request needs at least one message


@pytest.mark.parametrize(
    ("body", "where", "problem"),
    [
        (
            {"model": "m", "messages": [{"role": "user", "content": "x", "name": "bob"}]},
            "$.messages[0]",
            "unknown field `name`",
        ),
        ({"model": "m", "messages": ONE, "temprature": 1}, None, "unknown field `temprature`"),
        (
            {"model": "m", "messages": [{"role": "bot", "content": "x"}]},
            "$.messages[0].role",
            "'bot'",
        ),
        (
            {"model": "m", "messages": [{"role": "user", "content": [{"type": "video"}]}]},
            "$.messages[0].content[0].type",
            "'video'",
        ),
        (
            {
                "model": "m",
                "messages": [
                    {
                        "role": "assistant",
                        "content": [
                            {"type": "tool_call", "id": "c", "name": "f", "arguments": "{}"}
                        ],
                    }
                ],
            },
            "$.messages[0].content[0].arguments",
            "Expected `object`, got `str`",
        ),
        ({"model": "m", "messages": ONE, "temperature": "hot"}, "$.temperature", "got `str`"),
        ({"model": "m", "messages": ONE, "top_p": 1.5}, "$.top_p", "<= 1"),
        ({"model": "m", "messages": ONE, "max_output_tokens": 0}, "$.max_output_tokens", ">= 1"),
        (
            {"model": "m", "messages": ONE, "tool_choice": "sometimes"},
            "$.tool_choice",
            "'sometimes'",
        ),
        ({"model": {"id": ""}, "messages": ONE}, "$.model.id", "length >= 1"),
        ({"model": "m", "messages": []}, "$.messages", "length >= 1"),
        ({"model": "m", "messages": {}}, "$.messages", "Expected `array`"),
        ({"messages": ONE}, None, "missing required field `model`"),
    ],
)
def test_decoding_rejects_bad_input_naming_the_path(
    body: dict[str, Any], where: str | None, problem: str
) -> None:
    with pytest.raises(msgspec.ValidationError) as info:
        decode(body, ProviderRequest)
    message = str(info.value)
    assert problem in message
    if where is not None:
        assert message.endswith(f"at `{where}`")


def test_response_rejects_unknown_finish_reason() -> None:
    body = {"provider": "p", "model": "m", "output": {"content": []}, "finish_reason": "done"}
    with pytest.raises(msgspec.ValidationError, match=r"at `\$.finish_reason`"):
        decode(body, ProviderResponse)


# --------------------------------------------------------------------------- money and secrets


def test_decimals_encode_as_strings_and_decode_exactly() -> None:
    cost = CostBreakdown(
        total=Decimal("0.000123"), source=PricingSource.CATALOG, input=Decimal("1E-7")
    )
    data = as_json(cost)
    assert data["total"] == "0.000123"
    assert isinstance(data["input"], str)
    assert Decimal(data["input"]) == Decimal("1E-7")
    assert data["currency"] == "USD"
    decoded = decode({"total": "0.1", "source": "user_config"}, CostBreakdown)
    assert decoded.total == Decimal("0.1")  # not 0.1000000000000000055...
    pricing = decode({"input": "2.5", "output": "10"}, ModelPricing)
    assert (pricing.input, pricing.output) == (Decimal("2.5"), Decimal("10"))


def test_secret_never_shows_itself() -> None:
    secret = Secret("sk-live-123456")
    assert "sk-live" not in repr(secret)
    assert "sk-live" not in str(secret)
    assert "sk-live" not in f"{secret}"
    assert secret.reveal() == "sk-live-123456"
    assert secret == Secret("sk-live-123456")
    assert secret != Secret("other")
    context = AdapterContext(model=ModelRef(provider="openai", id="m"), credential=secret)
    assert "sk-live" not in repr(context)
