"""countTokens, price and rate-limit snapshots through the real runtime and adapters over
mocked HTTP (respx): what is sent to the counting endpoints, what comes back, and errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import respx

from provider_runtime import ProviderRuntime
from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core import (
    ConfigError,
    ErrorKind,
    ImagePart,
    JsonSchemaFormat,
    Message,
    MessageRole,
    NamedToolChoice,
    PricingSource,
    ProviderError,
    ProviderRequest,
    RateLimit,
    RateLimitWindow,
    ReasoningConfig,
    RoutingError,
    TextPart,
    ToolCall,
    ToolDefinition,
    ToolResult,
    Usage,
)
from provider_runtime.core.tokens import estimate_request_tokens
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.providers.openai.count import COUNT_FIELDS
from provider_runtime.server.errors import error_data
from provider_runtime.transport import HttpTransport

from .fixture_util import FIXTURES_DIR as FIXTURES
from .openapi import validate, validate_request

KEYS = {"OPENAI_API_KEY": "sk-openai-test", "ANTHROPIC_API_KEY": "sk-ant-test"}
KEYS["OPENROUTER_API_KEY"] = "sk-or-test"
KEYS["GEMINI_API_KEY"] = "gm-test-key"
DATE = "Mon, 26 May 2025 05:00:04 GMT"

CONFIG = """
[providers.openai]
max_retries = 2
{openai_api}
[providers.anthropic]
max_retries = 2
[providers.local]
type = "openai_compatible"
base_url = "http://127.0.0.1:9/v1"
[[models]]
provider = "local"
id = "qwen3"
context_window = 32000
[[pricing]]
provider = "local"
model = "qwen3"
pricing = { input = "1", output = "2" }
"""

WEATHER = ToolDefinition(
    name="get_weather",
    description="Current weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


async def _no_sleep(delay: float) -> None:
    return None


@pytest.fixture
def make_runtime(tmp_path: Path) -> Any:
    def make(env: dict[str, str] | None = None, openai_api: str | None = None) -> ProviderRuntime:
        path = tmp_path / "config.toml"
        path.write_text(
            CONFIG.replace("{openai_api}", f'api = "{openai_api}"' if openai_api else "")
        )
        environment = dict(KEYS if env is None else env)
        config = load_config(path, env=environment)
        transport = HttpTransport(sleep=_no_sleep, rand=lambda: 0.0)
        return build_runtime(
            config, transport=transport, tokens=ConfigTokenProvider(config, env=environment)
        )

    return make


def conversation(model: str, **fields: Any) -> ProviderRequest:
    """A tool loop with a system prompt, an image, a call and its result."""
    return ProviderRequest(
        model=model,
        messages=[
            Message(role=MessageRole.SYSTEM, content="Be brief."),
            Message(
                role=MessageRole.USER,
                content=[
                    TextPart(text="Weather in Paris? And this picture?"),
                    ImagePart(url="https://example.com/cat.png"),
                ],
            ),
            Message(
                role=MessageRole.ASSISTANT,
                content=[
                    TextPart(text="Checking."),
                    ToolCall(id="call_1", name="get_weather", arguments={"city": "Paris"}),
                ],
            ),
            Message(
                role=MessageRole.TOOL,
                content=[ToolResult(tool_call_id="call_1", content="18C, cloudy")],
            ),
        ],
        tools=[WEATHER],
        **fields,
    )


_RESPONSES_ITEM_SCHEMAS = {
    "message": "EasyInputMessage",
    "function_call": "FunctionToolCall",
    "function_call_output": "FunctionCallOutputItemParam",
}


def validate_input_tokens_body(body: dict[str, Any]) -> None:
    """``body`` against the spec's ``TokenCountsBody``, each input item against its own schema.

    The spec's ``InputItem`` is a ``oneOf`` that a user message with a content list satisfies
    twice (``EasyInputMessage`` and ``InputMessage`` both describe it; OpenAI resolves it by
    its discriminator), so a plain JSON Schema validator rejects every such item: the items are
    checked one by one against the schema their ``type`` names instead.
    """
    validate_request("openai", "/responses/input_tokens", {**body, "input": []})
    for item in body["input"]:
        validate("openai", _RESPONSES_ITEM_SCHEMAS[item["type"]], item)


# --------------------------------------------------------------------------- Anthropic


@respx.mock
async def test_anthropic_counts_the_messages_body_without_generation_fields(
    make_runtime: Any,
) -> None:
    count = respx.post("https://api.anthropic.com/v1/messages/count_tokens").respond(
        200, json={"input_tokens": 2095}
    )
    messages = respx.post("https://api.anthropic.com/v1/messages")
    request = conversation(
        "anthropic/claude-sonnet-4-5",
        temperature=0.2,
        max_output_tokens=500,
        stop=["END"],
        metadata={"user_id": "u1"},
    )
    result = await make_runtime().count_tokens(request)
    sent = count.calls.last.request
    assert sent.headers["x-api-key"] == "sk-ant-test"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    body = json.loads(sent.content)
    validate_request("anthropic", "/v1/messages/count_tokens", body)  # forbids unknown fields
    assert set(body) == {"model", "system", "messages", "tools"}
    assert body["model"] == "claude-sonnet-4-5"
    assert [t["name"] for t in body["tools"]] == ["get_weather"]
    assert not messages.called
    assert (result.input_tokens, result.exact, result.source) == (2095, False, "provider")
    assert (result.provider, result.model) == ("anthropic", "claude-sonnet-4-5")
    assert result.context_window is not None and result.context_window >= 200_000
    assert result.fits is True


@respx.mock
async def test_anthropic_count_keeps_the_forced_json_tool_and_thinking(make_runtime: Any) -> None:
    count = respx.post("https://api.anthropic.com/v1/messages/count_tokens").respond(
        200, json={"input_tokens": 321}
    )
    request = ProviderRequest(
        model="anthropic/claude-sonnet-4-5",
        messages=[Message(role=MessageRole.USER, content="Give me a city.")],
        response_format=JsonSchemaFormat(name="city", schema={"type": "object"}),
        max_output_tokens=4000,
    )
    assert (await make_runtime().count_tokens(request)).input_tokens == 321
    body = json.loads(count.calls.last.request.content)
    validate_request("anthropic", "/v1/messages/count_tokens", body)
    assert body["tool_choice"]["type"] == "tool"  # the schema travels as a forced tool
    thinking = ProviderRequest(
        model="anthropic/claude-sonnet-4-5",
        messages=[Message(role=MessageRole.USER, content="Think.")],
        reasoning=ReasoningConfig(budget_tokens=2048),
        max_output_tokens=8000,
    )
    await make_runtime().count_tokens(thinking)
    body = json.loads(count.calls.last.request.content)
    validate_request("anthropic", "/v1/messages/count_tokens", body)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}


@respx.mock
async def test_anthropic_count_errors_retry_and_carry_the_rate_limit(make_runtime: Any) -> None:
    headers = {
        "date": DATE,
        "retry-after": "1",
        "request-id": "req_011",
        "anthropic-ratelimit-input-tokens-limit": "50000",
        "anthropic-ratelimit-input-tokens-remaining": "0",
        "anthropic-ratelimit-input-tokens-reset": "2025-05-26T05:00:21Z",
    }
    body = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
    route = respx.post("https://api.anthropic.com/v1/messages/count_tokens").respond(
        429, json=body, headers=headers
    )
    with pytest.raises(ProviderError) as caught:
        await make_runtime().count_tokens(conversation("anthropic/claude-sonnet-4-5"))
    assert route.call_count == 3  # max_retries = 2, as for runtime/run
    error = caught.value
    assert (error.kind, error.status, error.retry_after) == (ErrorKind.RATE_LIMITED, 429, 1.0)
    assert error.rate_limit == RateLimit(
        input_tokens=RateLimitWindow(limit=50000, remaining=0, reset_seconds=17.0)
    )
    assert error_data(error)["rate_limit"] == {
        "requests": None,
        "tokens": None,
        "input_tokens": {"limit": 50000, "remaining": 0, "reset_seconds": 17.0},
        "output_tokens": None,
    }


@respx.mock
async def test_anthropic_count_refusals_are_the_kinds_of_run(make_runtime: Any) -> None:
    body = {"type": "error", "error": {"type": "authentication_error", "message": "bad key"}}
    respx.post("https://api.anthropic.com/v1/messages/count_tokens").respond(401, json=body)
    with pytest.raises(ProviderError) as caught:
        await make_runtime().count_tokens(conversation("anthropic/claude-sonnet-4-5"))
    assert caught.value.kind is ErrorKind.AUTHENTICATION
    assert caught.value.rate_limit is None


@respx.mock
async def test_anthropic_count_unreadable_answer_is_a_protocol_error(make_runtime: Any) -> None:
    respx.post("https://api.anthropic.com/v1/messages/count_tokens").respond(
        200, json={"tokens": 5}
    )
    with pytest.raises(ProviderError) as caught:
        await make_runtime().count_tokens(conversation("anthropic/claude-sonnet-4-5"))
    assert caught.value.kind is ErrorKind.PROTOCOL


@respx.mock
async def test_a_missing_key_fails_the_count_before_any_request(make_runtime: Any) -> None:
    route = respx.post("https://api.anthropic.com/v1/messages/count_tokens")
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        await make_runtime(env={}).count_tokens(conversation("anthropic/claude-sonnet-4-5"))
    assert not route.called


# --------------------------------------------------------------------------- OpenAI


@respx.mock
async def test_openai_counts_the_chat_request_as_responses_items(make_runtime: Any) -> None:
    count = respx.post("https://api.openai.com/v1/responses/input_tokens").respond(
        200, json={"object": "response.input_tokens", "input_tokens": 118}
    )
    request = conversation(
        "openai/gpt-4o",
        tool_choice=NamedToolChoice(name="get_weather"),
        response_format=JsonSchemaFormat(
            name="answer", schema={"type": "object", "properties": {}}, strict=True
        ),
        temperature=0.3,
        max_output_tokens=256,
        stop=["END"],
    )
    result = await make_runtime().count_tokens(request)
    sent = count.calls.last.request
    assert sent.headers["authorization"] == "Bearer sk-openai-test"
    body = json.loads(sent.content)
    validate_input_tokens_body(body)
    assert body == {
        "model": "gpt-4o",
        "input": [
            {"type": "message", "role": "system", "content": "Be brief."},
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Weather in Paris? And this picture?"},
                    {
                        "type": "input_image",
                        "image_url": "https://example.com/cat.png",
                        "detail": "auto",
                    },
                ],
            },
            {"type": "message", "role": "assistant", "content": "Checking."},
            {
                "type": "function_call",
                "call_id": "call_1",
                "name": "get_weather",
                "arguments": '{"city":"Paris"}',
            },
            {"type": "function_call_output", "call_id": "call_1", "output": "18C, cloudy"},
        ],
        "tools": [
            {
                "type": "function",
                "name": "get_weather",
                "description": "Current weather for a city",
                "parameters": WEATHER.parameters,
                "strict": False,
            }
        ],
        "tool_choice": {"type": "function", "name": "get_weather"},
        "text": {
            "format": {
                "type": "json_schema",
                "name": "answer",
                "schema": {"type": "object", "properties": {}},
                "strict": True,
            }
        },
    }
    assert (result.input_tokens, result.exact, result.source) == (118, True, "provider")
    assert result.fits is True


@respx.mock
async def test_a_call_routed_to_responses_is_counted_from_its_own_body(make_runtime: Any) -> None:
    count = respx.post("https://api.openai.com/v1/responses/input_tokens").respond(
        200, json={"object": "response.input_tokens", "input_tokens": 9}
    )
    native = json.loads((FIXTURES / "openai_responses/basic_text/native_response.json").read_text())
    responses = respx.post("https://api.openai.com/v1/responses").respond(200, json=native)
    request = conversation("openai/o3", reasoning=ReasoningConfig(effort="high"))
    rt = make_runtime()
    counted = await rt.count_tokens(request)
    await rt.run(request)  # api = auto sends o3, a catalog reasoning model, to /responses
    body = json.loads(count.calls.last.request.content)
    sent = json.loads(responses.calls.last.request.content)
    validate_input_tokens_body(body)
    # The very body /responses gets, less what does not change the prompt.
    assert body == {k: v for k, v in sent.items() if k in COUNT_FIELDS}
    assert {"include", "store"} <= set(sent) and not {"include", "store"} & set(body)
    assert body["reasoning"]["effort"] == "high"
    assert (counted.input_tokens, counted.exact) == (9, True)


@respx.mock
async def test_chat_routed_reasoning_models_count_with_developer_role_and_effort(
    make_runtime: Any,
) -> None:
    count = respx.post("https://api.openai.com/v1/responses/input_tokens").respond(
        200, json={"object": "response.input_tokens", "input_tokens": 9}
    )
    request = ProviderRequest(
        model="openai/o3",
        messages=[
            Message(role=MessageRole.SYSTEM, content="Be brief."),
            Message(role=MessageRole.USER, content="hi"),
        ],
        reasoning=ReasoningConfig(effort="high"),
    )
    await make_runtime(openai_api="chat").count_tokens(request)
    body = json.loads(count.calls.last.request.content)
    validate_input_tokens_body(body)
    assert body["input"][0] == {"type": "message", "role": "developer", "content": "Be brief."}
    assert body["reasoning"] == {"effort": "high"}


@respx.mock
async def test_openai_count_server_errors_are_retried_like_run(make_runtime: Any) -> None:
    route = respx.post("https://api.openai.com/v1/responses/input_tokens").mock(
        side_effect=[
            httpx.Response(500, json={"error": {"message": "oops", "type": "server_error"}}),
            httpx.Response(200, json={"object": "response.input_tokens", "input_tokens": 7}),
        ]
    )
    result = await make_runtime().count_tokens(conversation("openai/gpt-4o"))
    assert (route.call_count, result.input_tokens) == (2, 7)


# --------------------------------------------------------------------------- estimates


@respx.mock  # any request at all would fail: nothing is mocked
async def test_compatible_servers_and_openrouter_are_estimated_offline(make_runtime: Any) -> None:
    rt = make_runtime()
    for model in ("local/qwen3", "openrouter/openai/gpt-4o"):
        request = conversation(model)
        result = await rt.count_tokens(request)
        assert (result.exact, result.source) == (False, "estimate")
        assert result.input_tokens == estimate_request_tokens(request)
    local = await rt.count_tokens(conversation("local/qwen3", max_output_tokens=31990))
    assert (local.context_window, local.fits) == (32000, False)


async def test_echo_counts_what_its_run_reports(make_runtime: Any) -> None:
    rt = make_runtime()
    for request in (
        conversation("echo/echo-1"),
        ProviderRequest(
            model="echo/echo-lite", messages=[Message(role=MessageRole.USER, content="x" * 999)]
        ),
    ):
        counted = await rt.count_tokens(request)
        answered = await rt.run(request)
        assert counted.input_tokens == answered.usage.input_tokens
        assert [w.code for w in counted.warnings] == [
            w.code for w in answered.warnings if not w.code.startswith("pricing.")
        ]


async def test_fits_reserves_the_requested_else_the_catalog_output(make_runtime: Any) -> None:
    rt = make_runtime()
    ask = ProviderRequest(
        model="echo/echo-lite", messages=[Message(role=MessageRole.USER, content="x" * 28000)]
    )
    tokens = 4 + 7000  # echo-lite: 8,192-token window, 1,024 output tokens in the catalog
    default = await rt.count_tokens(ask)
    assert (default.input_tokens, default.context_window, default.fits) == (tokens, 8192, True)
    assert (
        await rt.count_tokens(msgspec.structs.replace(ask, max_output_tokens=1200))
    ).fits is False
    bigger = msgspec.structs.replace(
        ask, messages=[Message(role=MessageRole.USER, content="x" * 29000)]
    )
    assert (await rt.count_tokens(bigger)).fits is False  # 7254 + 1024 > 8192


# --------------------------------------------------------------------------- rate limits


@respx.mock
async def test_openai_answers_carry_their_rate_limit_headers(make_runtime: Any) -> None:
    completion = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    }
    headers = {
        "x-ratelimit-limit-requests": "60",
        "x-ratelimit-remaining-requests": "59",
        "x-ratelimit-reset-requests": "1s",
        "x-ratelimit-limit-tokens": "150000",
        "x-ratelimit-remaining-tokens": "149984",
        "x-ratelimit-reset-tokens": "6m0s",
    }
    respx.post("https://api.openai.com/v1/chat/completions").respond(
        200, json=completion, headers=headers
    )
    response = await make_runtime().run(conversation("openai/gpt-4o"))
    assert response.rate_limit == RateLimit(
        requests=RateLimitWindow(limit=60, remaining=59, reset_seconds=1.0),
        tokens=RateLimitWindow(limit=150000, remaining=149984, reset_seconds=360.0),
    )


@respx.mock
async def test_openrouter_success_has_none_and_its_429_has_requests(make_runtime: Any) -> None:
    completion = {
        "id": "gen-1",
        "model": "openai/gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    }
    route = respx.post("https://openrouter.ai/api/v1/chat/completions")
    route.respond(200, json=completion)
    rt = make_runtime()
    assert (await rt.run(conversation("openrouter/openai/gpt-4o"))).rate_limit is None
    limited = {
        "date": DATE,
        "X-RateLimit-Limit": "20",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "1748235660000",
        "retry-after": "120",  # longer than the runtime waits: reported, not retried
    }
    route.respond(
        429, json={"error": {"code": 429, "message": "Rate limit exceeded"}}, headers=limited
    )
    with pytest.raises(ProviderError) as caught:
        await rt.run(conversation("openrouter/openai/gpt-4o"))
    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.rate_limit == RateLimit(
        requests=RateLimitWindow(limit=20, remaining=0, reset_seconds=56.0)
    )


@respx.mock
async def test_malformed_rate_limit_headers_never_fail_a_call(make_runtime: Any) -> None:
    completion = {
        "id": "chatcmpl-1",
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    }
    headers = {
        "x-ratelimit-limit-requests": "lots",
        "x-ratelimit-reset-requests": "6m0",
        "x-ratelimit-remaining-tokens": "12",
    }
    respx.post("https://api.openai.com/v1/chat/completions").respond(
        200, json=completion, headers=headers
    )
    response = await make_runtime().run(conversation("openai/gpt-4o"))
    assert response.output.text == "ok"
    assert response.rate_limit == RateLimit(tokens=RateLimitWindow(remaining=12))


# --------------------------------------------------------------------------- price


@respx.mock
async def test_price_is_the_cost_a_real_call_got(make_runtime: Any) -> None:
    completion = {
        "id": "chatcmpl-1",
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": 1200,
            "completion_tokens": 300,
            "total_tokens": 1500,
            "prompt_tokens_details": {"cached_tokens": 1000},
        },
    }
    respx.post("https://api.openai.com/v1/chat/completions").respond(200, json=completion)
    rt = make_runtime()
    response = await rt.run(conversation("openai/gpt-4o"))
    (quote,) = rt.price(["openai/gpt-4o"], response.usage)
    assert quote.cost == response.cost and quote.cost is not None
    assert quote.cost.source is PricingSource.CATALOG and quote.warnings == []


async def test_price_follows_user_rules_and_reports_missing_prices(make_runtime: Any) -> None:
    usage = Usage(input_tokens=1_000_000, output_tokens=500_000)
    local, echo = make_runtime().price(["local/qwen3", "echo/unlisted-model"], usage)
    assert local.cost is not None and local.cost.source is PricingSource.USER_CONFIG
    assert str(local.cost.total) == "2"  # $1/M input + $2/M output x 0.5M
    assert echo.cost is None and [w.code for w in echo.warnings] == ["pricing.missing"]
    with pytest.raises(RoutingError):
        make_runtime().price(["nowhere/gpt-9"], usage)


@respx.mock
async def test_an_undecodable_answer_still_reports_its_rate_limit(make_runtime: Any) -> None:
    headers = {"x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "0"}
    respx.post("https://api.openai.com/v1/chat/completions").respond(
        200, content=b"<html>not json</html>", headers=headers
    )
    respx.post("https://api.openai.com/v1/responses/input_tokens").respond(
        200, json={"object": "response.input_tokens"}, headers=headers
    )
    rt = make_runtime()
    expected = RateLimit(requests=RateLimitWindow(limit=60, remaining=0))
    for attempt in (rt.run, rt.count_tokens):
        with pytest.raises(ProviderError) as caught:
            await attempt(conversation("openai/gpt-4o"))
        assert caught.value.kind is ErrorKind.PROTOCOL
        assert caught.value.rate_limit == expected


@respx.mock
async def test_an_estimate_needs_no_credential(make_runtime: Any) -> None:
    result = await make_runtime(env={}).count_tokens(conversation("openrouter/openai/gpt-4o"))
    assert result.source == "estimate"
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        await make_runtime(env={}).count_tokens(conversation("openai/gpt-4o"))


@respx.mock
async def test_gemini_counts_the_whole_generate_content_request(make_runtime: Any) -> None:
    count = respx.post(
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens"
    ).respond(200, json={"totalTokens": 231, "promptTokensDetails": []})
    generate = respx.post(
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    )
    request = ProviderRequest(
        model="google/gemini-2.5-flash",
        messages=[
            Message(role=MessageRole.SYSTEM, content="Be brief."),
            Message(role=MessageRole.USER, content="Weather in Paris?"),
        ],
        tools=[WEATHER],
        temperature=0.5,
        max_output_tokens=300,
    )
    result = await make_runtime().count_tokens(request)
    sent = count.calls.last.request
    assert sent.headers["x-goog-api-key"] == "gm-test-key"
    body = json.loads(sent.content)
    validate_request("gemini", "/v1beta/models/{model}:countTokens", body)
    inner = body["generateContentRequest"]
    assert set(body) == {"generateContentRequest"}
    assert inner["model"] == "models/gemini-2.5-flash"
    assert inner["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert inner["tools"][0]["functionDeclarations"][0]["name"] == "get_weather"
    assert not generate.called
    assert (result.input_tokens, result.exact, result.source) == (231, True, "provider")


@respx.mock
async def test_bedrock_counts_the_converse_body_with_count_tokens() -> None:
    from provider_runtime.core import AdapterContext, ModelRef, Secret
    from provider_runtime.providers.bedrock import BedrockAdapter

    from .service_model import validate_converse_request, validate_shape

    answer = {"inputTokens": 88}
    validate_shape("CountTokensResponse", answer)
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku%3A0"
    count = respx.post(f"{url}/count-tokens").respond(200, json=answer)
    adapter = BedrockAdapter(HttpTransport(), region="us-east-1")
    request = conversation("bedrock/anthropic.claude-3-5-haiku:0", temperature=0.1, stop=["END"])
    context = AdapterContext(
        model=ModelRef(provider="bedrock", id="anthropic.claude-3-5-haiku:0"),
        credential=Secret("bedrock-api-key-0123"),
    )
    counted = await adapter.count_tokens(request, context)
    body = json.loads(count.calls.last.request.content)
    validate_converse_request("anthropic.claude-3-5-haiku:0", body, "CountTokens")
    converse = body["input"]["converse"]
    assert set(converse) <= {"messages", "system", "toolConfig", "additionalModelRequestFields"}
    assert converse["system"] == [{"text": "Be brief."}] and "toolConfig" in converse
    assert (counted.input_tokens, counted.exact, counted.source) == (88, True, "provider")
