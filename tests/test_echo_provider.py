"""The offline echo provider: its answers, tool calls, usage rule, errors, and the runtime path."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import jsonschema
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core.errors import ErrorKind, ProviderError
from provider_runtime.core.traits import ProviderAdapter
from provider_runtime.core.types import (
    AdapterContext,
    DiscoveryOptions,
    FinishReason,
    ImagePart,
    JsonFormat,
    JsonSchemaFormat,
    Message,
    ModelPricing,
    ModelRef,
    NamedToolChoice,
    ProviderRequest,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolChoiceMode,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.providers.echo import EchoAdapter, answer_echo_request, estimate_tokens
from provider_runtime.providers.echo.answer import MAX_SLEEP_SECONDS, echo_delay
from provider_runtime.runtime import ProviderRuntime

WEATHER = ToolDefinition(
    name="get_weather",
    description="Weather for a city",
    parameters={
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "alerts": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
        "required": ["city", "days", "unit", "alerts", "tags"],
        "additionalProperties": False,
    },
)
CLOCK = ToolDefinition(name="get_time")


def request(*messages: Message | str, **fields: object) -> ProviderRequest:
    msgs = [Message(role="user", content=m) if isinstance(m, str) else m for m in messages]
    return ProviderRequest(model="echo/echo-1", messages=msgs, **fields)  # type: ignore[arg-type]


def answer(req: ProviderRequest, context_window: int | None = None, **fields: object):  # type: ignore[no-untyped-def]
    """The echo answer to ``req`` with ``fields`` replaced (tools, tool_choice, stop...)."""
    req = msgspec.structs.replace(req, **fields)
    return answer_echo_request(req, provider="echo", model="echo-1", context_window=context_window)


# ------------------------------------------------------------------ text answers and usage


def test_echoes_the_last_user_text_with_usage_by_the_documented_rule() -> None:
    req = request(
        Message(role="system", content="Be brief."),  # 9 chars -> 3 tokens (+4)
        "first question",
        Message(role="assistant", content="an answer"),
        "hello world",  # 11 chars -> 3 tokens (+4)
    )
    resp = answer(req)
    assert resp.output.text == "echo: hello world"
    assert resp.finish_reason is FinishReason.STOP and resp.finish_reason_raw == "stop"
    assert resp.provider == "echo" and resp.model == "echo-1" and resp.cost is None
    # per message: 4 + ceil(chars / 4): 4+3, 4+4 ("first question" = 14), 4+3 ("an answer"), 4+3
    assert resp.usage.input_tokens == 7 + 8 + 7 + 7
    assert resp.usage.output_tokens == 5  # "echo: hello world" is 17 chars
    assert resp.usage.total_tokens == 29 + 5


def test_estimate_tokens_is_four_characters_per_token_rounded_up() -> None:
    assert [estimate_tokens("x" * n) for n in (0, 1, 4, 5, 8, 9)] == [0, 1, 1, 2, 2, 3]


def test_images_are_mentioned_and_charged_a_flat_rate() -> None:
    req = request(
        Message(
            role="user",
            content=[
                TextPart(text="what is this"),
                ImagePart(url="https://example.com/a.png"),
                ImagePart(data="aGk=", media_type="image/png"),
            ],
        )
    )
    resp = answer(req)
    assert resp.output.text == "echo: what is this [2 images]"
    assert resp.usage.input_tokens == 4 + 3 + 85 + 85


def test_same_request_same_response_and_ids_differ_between_requests() -> None:
    one, two = answer(request("a")), answer(request("a"))
    assert msgspec.json.encode(one) == msgspec.json.encode(two)
    other = answer(request("b"))
    assert one.request_id != other.request_id
    assert re.fullmatch(r"echo-[0-9a-f]{24}", one.request_id or "")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=200).filter(lambda t: t.strip() and t.lstrip()[:1] != "/"))
def test_any_prompt_is_echoed_deterministically(text: str) -> None:
    first, second = answer(request(text)), answer(request(text))
    assert first == second
    assert first.output.text == f"echo: {text}"
    assert first.usage.total_tokens == first.usage.input_tokens + first.usage.output_tokens
    assert first.usage.output_tokens == estimate_tokens(f"echo: {text}")


def test_stop_sequence_cuts_the_answer() -> None:
    resp = answer(request("one two three"), stop=["three", "two"])
    assert resp.output.text == "echo: one "
    assert resp.finish_reason is FinishReason.STOP


def test_max_output_tokens_truncates_with_finish_length() -> None:
    resp = answer(request("a fairly long prompt to echo back"), max_output_tokens=2)
    assert resp.output.text == "echo: a "
    assert resp.finish_reason is FinishReason.LENGTH and resp.finish_reason_raw == "length"
    assert resp.usage.output_tokens == 2


def test_json_mode_answers_a_json_object() -> None:
    resp = answer(request("hi"), response_format=JsonFormat())
    assert msgspec.json.decode(resp.output.text) == {"echo": "hi"}


def test_json_schema_answer_validates_against_the_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "score": {"type": "number", "minimum": 3},
            "kind": {"enum": ["a", "b"]},
            "nested": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
            "maybe": {"type": ["null", "integer"]},
            "fixed": {"const": 42},
        },
        "required": ["title", "score", "kind", "nested", "maybe", "fixed"],
        "additionalProperties": False,
    }
    fmt = JsonSchemaFormat(name="thing", schema=schema)
    resp = answer(request("a title"), response_format=fmt)
    value = msgspec.json.decode(resp.output.text)
    jsonschema.validate(value, schema)
    assert value["title"] == "a title" and value["fixed"] == 42


# ------------------------------------------------------------------ tool calls


def test_tool_command_calls_the_named_tool_with_its_json_arguments() -> None:
    resp = answer(request('/tool get_weather {"city": "Paris", "days": 2}'), tools=[WEATHER, CLOCK])
    (call,) = resp.output.tool_calls
    assert call.name == "get_weather" and call.arguments == {"city": "Paris", "days": 2}
    assert call.raw_arguments is None
    assert resp.finish_reason is FinishReason.TOOL_CALLS and resp.finish_reason_raw == "tool_calls"
    assert re.fullmatch(r"^[a-zA-Z0-9_-]+$", call.id) and len(call.id) <= 64
    assert resp.output.text == ""
    # output tokens: name + compact arguments JSON
    assert resp.usage.output_tokens == estimate_tokens('get_weather{"city":"Paris","days":2}')


def test_required_tool_choice_calls_the_first_tool_with_schema_valid_arguments() -> None:
    resp = answer(request("Lyon"), tools=[WEATHER, CLOCK], tool_choice=ToolChoiceMode.REQUIRED)
    (call,) = resp.output.tool_calls
    assert call.name == "get_weather"
    jsonschema.validate(call.arguments, WEATHER.parameters)
    assert call.arguments["city"] == "Lyon"


def test_named_tool_choice_wins_over_the_tool_command() -> None:
    resp = answer(
        request('/tool get_weather {"city": "Oslo"}'),
        tools=[WEATHER, CLOCK],
        tool_choice=NamedToolChoice(name="get_time"),
    )
    assert [c.name for c in resp.output.tool_calls] == ["get_time"]
    assert resp.output.tool_calls[0].arguments == {}


def test_named_tool_choice_must_name_an_offered_tool() -> None:
    with pytest.raises(ProviderError) as info:
        answer(request("x"), tools=[CLOCK], tool_choice=NamedToolChoice(name="missing"))
    assert info.value.kind is ErrorKind.INVALID_REQUEST and info.value.status == 400


def test_auto_without_command_answers_text_and_none_never_calls() -> None:
    assert answer(request("hi"), tools=[WEATHER]).output.tool_calls == []
    resp = answer(request("/tool get_time"), tools=[CLOCK], tool_choice=ToolChoiceMode.NONE)
    assert resp.output.tool_calls == [] and "tool_choice is `none`" in resp.output.text


def test_tool_command_for_a_tool_not_offered_answers_text() -> None:
    resp = answer(request("/tool launch {}"), tools=[CLOCK])
    assert resp.output.tool_calls == []
    assert resp.output.text == "echo: no tool call: tool `launch` is not offered (tools: get_time)"


def test_invalid_json_arguments_are_kept_raw_with_a_warning() -> None:
    resp = answer(request("/tool get_time {not json"), tools=[CLOCK])
    (call,) = resp.output.tool_calls
    assert call.arguments == {} and call.raw_arguments == "{not json"
    assert [w.code for w in resp.warnings] == ["response.invalid_tool_arguments"]


def test_tool_results_are_answered_with_text_so_a_tool_loop_ends() -> None:
    call = ToolCall(id="call_1", name="get_time", arguments={})
    req = request(
        "/tool get_time",
        Message(role="assistant", content=[call]),
        Message(role="tool", content=[ToolResult(tool_call_id="call_1", content="12:00")]),
        tools=[CLOCK],
        tool_choice=ToolChoiceMode.REQUIRED,
    )
    resp = answer(req)
    assert resp.output.tool_calls == []
    assert resp.output.text == "echo: tool results: call_1: 12:00"
    assert resp.finish_reason is FinishReason.STOP


def test_tool_call_ids_are_deterministic() -> None:
    req = request("/tool get_time", tools=[CLOCK])
    assert answer(req).output.tool_calls[0].id == answer(req).output.tool_calls[0].id


# ------------------------------------------------------------------ errors and delays


@pytest.mark.parametrize(
    ("kind", "status", "retryable"),
    [
        ("rate_limited", 429, True),
        ("authentication", 401, False),
        ("overloaded", 529, True),
        ("context_length_exceeded", 400, False),
        ("timeout", None, True),
    ],
)
def test_error_command_raises_that_kind(kind: str, status: int | None, retryable: bool) -> None:
    with pytest.raises(ProviderError) as info:
        answer(request(f"/error {kind} custom message"))
    err = info.value
    assert err.kind.value == kind and err.status == status and err.retryable is retryable
    assert err.message == "custom message" and err.provider == "echo"
    assert (err.retry_after == 1.0) is (kind == "rate_limited")


def test_unknown_error_kind_is_an_invalid_request() -> None:
    with pytest.raises(ProviderError) as info:
        answer(request("/error bogus"))
    assert info.value.kind is ErrorKind.INVALID_REQUEST and "bogus" in info.value.message


def test_prompt_over_the_context_window_is_refused() -> None:
    with pytest.raises(ProviderError) as info:
        answer(request("x" * 400), context_window=50)
    assert info.value.kind is ErrorKind.CONTEXT_LENGTH_EXCEEDED


def test_sleep_command_delay_is_parsed_and_capped() -> None:
    assert echo_delay(request("/sleep 0.25 after a nap")) == 0.25
    assert echo_delay(request("/sleep 9999")) == MAX_SLEEP_SECONDS
    assert echo_delay(request("/sleep soon")) == 0.0
    assert echo_delay(request("no sleep")) == 0.0
    assert answer(request("/sleep 0.25 after a nap")).output.text == "echo: after a nap"


# ------------------------------------------------------------------ adapter and runtime path


async def test_adapter_meets_the_contract_and_declares_its_models() -> None:
    adapter = EchoAdapter(provider_id="offline")
    assert isinstance(adapter, ProviderAdapter)
    caps = adapter.capabilities
    assert caps.tool_call_id_max_length == 64 and not caps.requires_alternation
    assert caps.system_placement.value == "inline" and caps.reasoning is False
    ids = [(m.provider, m.id) for m in adapter.static_models()]
    assert ids == [("offline", "echo-1"), ("offline", "echo-lite")]
    zero = ModelPricing(
        input=Decimal(0),
        output=Decimal(0),
        cache_read=Decimal(0),
        cache_write=Decimal(0),
        cache_write_1h=Decimal(0),
    )
    assert all(m.pricing == zero for m in adapter.static_models())  # an offline answer is free
    remote = await adapter.discover_models(None)
    assert {m.source for m in remote} == {"remote"}
    assert all(m.pricing == zero for m in remote)
    ctx = AdapterContext(model=ModelRef(provider="offline", id="echo-1"))
    resp = await adapter.run(request("hi"), ctx)
    assert resp.provider == "offline" and resp.output.text == "echo: hi"


def _runtime(tmp_path: Path, toml: str = "") -> ProviderRuntime:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    return build_runtime(load_config(path, env={}))


async def test_runtime_path_prices_listed_models_at_zero_without_a_warning(
    tmp_path: Path,
) -> None:
    async with _runtime(tmp_path) as rt:
        resp = await rt.run(request("hi"))
        lite = await rt.run(msgspec.structs.replace(request("hi"), model="echo/echo-lite"))
    assert resp.output.text == "echo: hi" and resp.warnings == [] and lite.warnings == []
    for cost in (resp.cost, lite.cost):
        assert cost is not None and cost.total == Decimal(0) and not cost.partial
        assert cost.source.value == "catalog" and cost.snapshot == "echo built-in models"


async def test_runtime_path_unlisted_echo_id_is_unpriced_and_warns(tmp_path: Path) -> None:
    req = msgspec.structs.replace(request("hi"), model="echo/echo-unpriced")
    async with _runtime(tmp_path) as rt:
        resp = await rt.run(req)
    assert resp.output.text == "echo: hi" and resp.model == "echo-unpriced"
    assert resp.cost is None
    assert [w.code for w in resp.warnings] == ["pricing.missing"]
    assert resp.warnings[0].details == {"provider": "echo", "model": "echo-unpriced"}


async def test_runtime_path_listing_shows_the_zero_price(tmp_path: Path) -> None:
    async with _runtime(tmp_path) as rt:
        listed = await rt.discover_models(DiscoveryOptions(providers=["echo"], remote=True))
    assert [(m.id, m.pricing.input, m.pricing.output) for m in listed.models if m.pricing] == [
        ("echo-1", Decimal(0), Decimal(0)),
        ("echo-lite", Decimal(0), Decimal(0)),
    ]


async def test_runtime_path_prices_with_a_config_rule(tmp_path: Path) -> None:
    toml = (
        '[[pricing]]\nprovider = "echo"\nmodel = "echo-*"\n'
        'pricing = { input = "2", output = "8" }\n'
    )
    async with _runtime(tmp_path, toml) as rt:
        resp = await rt.run(request("hello world"))
    # 7 input tokens at $2/M and 5 output tokens at $8/M
    assert resp.usage.input_tokens == 7 and resp.usage.output_tokens == 5
    assert resp.cost is not None and resp.cost.total == Decimal("0.000054")
    assert resp.cost.source.value == "user_config" and resp.warnings == []


async def test_runtime_path_adapts_to_the_lite_models_capabilities(tmp_path: Path) -> None:
    req = msgspec.structs.replace(request("/tool get_time"), model="echo/echo-lite", tools=[CLOCK])
    async with _runtime(tmp_path) as rt:
        resp = await rt.run(req)
    assert resp.output.tool_calls == []  # the runtime removed the tools before the call
    codes = [w.code for w in resp.warnings]
    assert codes == ["capability.tools_removed"]  # and no pricing.missing: echo-lite is free


async def test_runtime_path_runs_handoff_on_foreign_reasoning(tmp_path: Path) -> None:
    foreign = ReasoningPart(text="thinking", signature="sig", provider="anthropic", model="c")
    req = request(
        "first",
        Message(role="assistant", content=[foreign, TextPart(text="answer")]),
        "second",
    )
    async with _runtime(tmp_path) as rt:
        resp = await rt.run(req)
    assert resp.output.text == "echo: second"
    assert "handoff.reasoning_dropped" in [w.code for w in resp.warnings]
