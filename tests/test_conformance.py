"""One conformance suite: the same behavioural checks over every HTTP adapter (rust-genai style).

Each provider contributes a small harness (URL, how to say a text answer, a tool call with
cached usage, an error body in its own format); the checks themselves are shared.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import respx

from provider_runtime.config import OpenAICompatQuirks
from provider_runtime.core import (
    AdapterContext,
    CacheBreakpoint,
    ErrorKind,
    FinishReason,
    ImagePart,
    Message,
    MessageRole,
    ModelRef,
    NamedToolChoice,
    ProviderAdapter,
    ProviderError,
    ProviderRequest,
    Secret,
    TextPart,
    TokenCounter,
    ToolCall,
    ToolDefinition,
)
from provider_runtime.providers.anthropic import AnthropicAdapter
from provider_runtime.providers.azure import AzureOpenAIAdapter
from provider_runtime.providers.bedrock import BedrockAdapter
from provider_runtime.providers.google import GoogleAdapter
from provider_runtime.providers.openai import OpenAIAdapter
from provider_runtime.providers.openrouter import OpenRouterAdapter
from provider_runtime.runtime.capabilities import prepare_request
from provider_runtime.transport import HttpTransport, RetryPolicy

NO_RETRY = RetryPolicy(max_retries=0)
KEY = "sk-conformance-0123456789"


def chat_completion(message: dict[str, Any], finish: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-conf",
        "object": "chat.completion",
        "created": 1741569952,
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": 120,
            "completion_tokens": 30,
            "total_tokens": 150,
            "prompt_tokens_details": {"cached_tokens": 100},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    }


def openai_text(text: str, model: str) -> dict[str, Any]:
    return chat_completion({"role": "assistant", "content": text, "refusal": None}, "stop", model)


def openai_tool(name: str, args: str, model: str) -> dict[str, Any]:
    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": args}}
    message = {"role": "assistant", "content": None, "refusal": None, "tool_calls": [call]}
    return chat_completion(message, "tool_calls", model)


def anthropic_message(content: list[dict[str, Any]], stop: str) -> dict[str, Any]:
    return {
        "id": "msg_conf",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 20,
            "cache_read_input_tokens": 100,
            "cache_creation_input_tokens": 0,
            "output_tokens": 30,
        },
    }


def gemini_answer(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}],
        "usageMetadata": {
            "promptTokenCount": 120,
            "cachedContentTokenCount": 100,
            "candidatesTokenCount": 30,
            "totalTokenCount": 150,
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "resp_conf",
    }


# google.rpc.Code name for each HTTP status (ai.google.dev/gemini-api/docs/troubleshooting).
GEMINI_STATUSES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

# Anthropic's error `type` for each HTTP status (docs.anthropic.com/en/api/errors).
ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
}


def converse(content: list[dict[str, Any]], stop: str) -> dict[str, Any]:
    """A ConverseResponse (API_runtime_Converse.html of the Bedrock API reference)."""
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {
            "inputTokens": 20,
            "cacheReadInputTokens": 100,
            "cacheWriteInputTokens": 0,
            "outputTokens": 30,
            "totalTokens": 150,
        },
        "metrics": {"latencyMs": 5},
    }


# Bedrock's error type for each HTTP status (the service model's errors; 401 has none of its own).
BEDROCK_TYPES = {
    400: "ValidationException",
    401: "UnrecognizedClientException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


@dataclass
class Harness:
    name: str
    make: Callable[[HttpTransport], ProviderAdapter]
    url: str
    model: str
    text: Callable[[str], dict[str, Any]]
    tool: Callable[[str, str], dict[str, Any]]
    error: Callable[[int, str], dict[str, Any]]
    auth: Callable[[httpx.Request], str | None]
    # Headers saying 0 requests of 10 are left, in the provider's names; None: it documents none.
    limits: dict[str, str] | None = None
    count_url: str | None = None  # its token counting endpoint, if it has one
    count_answer: dict[str, Any] = field(default_factory=lambda: {"input_tokens": 17})
    image_url: str = "https://example.com/cat.png"  # an image URL the API fetches itself


OPENAI_LIMITS = {"x-ratelimit-limit-requests": "10", "x-ratelimit-remaining-requests": "0"}


def bearer(request: httpx.Request) -> str | None:
    return request.headers.get("authorization")


HARNESSES = [
    Harness(
        "openai",
        lambda t: OpenAIAdapter(t, retry=NO_RETRY),
        "https://api.openai.com/v1/chat/completions",
        "gpt-4o",
        lambda s: openai_text(s, "gpt-4o"),
        lambda n, a: openai_tool(n, a, "gpt-4o"),
        lambda st, m: {"error": {"message": m, "type": "invalid_request_error", "code": None}},
        bearer,
        OPENAI_LIMITS,
        "https://api.openai.com/v1/responses/input_tokens",
    ),
    Harness(
        "openrouter",
        lambda t: OpenRouterAdapter(t, retry=NO_RETRY),
        "https://openrouter.ai/api/v1/chat/completions",
        "openai/gpt-4o",
        lambda s: openai_text(s, "openai/gpt-4o"),
        lambda n, a: openai_tool(n, a, "openai/gpt-4o"),
        lambda st, m: {"error": {"code": st, "message": m}},
        bearer,
        {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0"},
    ),
    Harness(
        "compatible",
        lambda t: OpenAIAdapter(
            t,
            provider_id="vllm",
            base_url="http://127.0.0.1:8000/v1",
            retry=NO_RETRY,
            quirks=OpenAICompatQuirks(max_tokens_field="max_tokens"),
        ),
        "http://127.0.0.1:8000/v1/chat/completions",
        "qwen3",
        lambda s: openai_text(s, "qwen3"),
        lambda n, a: openai_tool(n, a, "qwen3"),
        lambda st, m: {"error": {"message": m, "type": "BadRequestError", "code": st}},
        bearer,
        OPENAI_LIMITS,
    ),
    Harness(
        "azure",
        lambda t: AzureOpenAIAdapter(
            t, provider_id="azure", base_url="https://contoso.openai.azure.com", retry=NO_RETRY
        ),
        "https://contoso.openai.azure.com/openai/v1/chat/completions",
        "gpt4o-prod",
        lambda s: openai_text(s, "gpt-4o-2024-11-20"),
        lambda n, a: openai_tool(n, a, "gpt-4o-2024-11-20"),
        lambda st, m: {"error": {"message": m, "type": None, "code": str(st)}},
        lambda r: r.headers.get("api-key"),
        OPENAI_LIMITS,  # Azure sends OpenAI's x-ratelimit-* names
    ),
    Harness(
        "anthropic",
        lambda t: AnthropicAdapter(t, retry=NO_RETRY),
        "https://api.anthropic.com/v1/messages",
        "claude-sonnet-4-5",
        lambda s: anthropic_message([{"type": "text", "text": s}], "end_turn"),
        lambda n, a: anthropic_message(
            [{"type": "tool_use", "id": "toolu_1", "name": n, "input": json.loads(a)}], "tool_use"
        ),
        lambda st, m: {"type": "error", "error": {"type": ANTHROPIC_TYPES[st], "message": m}},
        lambda r: r.headers.get("x-api-key"),
        {"anthropic-ratelimit-requests-limit": "10", "anthropic-ratelimit-requests-remaining": "0"},
        "https://api.anthropic.com/v1/messages/count_tokens",
    ),
    Harness(
        "bedrock",
        lambda t: BedrockAdapter(t, region="us-east-1", retry=NO_RETRY),
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse",
        "amazon.nova-pro-v1:0",
        lambda s: converse([{"text": s}], "end_turn"),
        lambda n, a: converse(
            [{"toolUse": {"toolUseId": "tooluse_1", "name": n, "input": json.loads(a)}}],
            "tool_use",
        ),
        lambda st, m: {"__type": BEDROCK_TYPES[st], "message": m},
        bearer,
        count_url="https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1%3A0/count-tokens",
        count_answer={"inputTokens": 17},
    ),
    Harness(
        "google",
        lambda t: GoogleAdapter(t, retry=NO_RETRY),
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
        "gemini-2.5-flash",
        lambda s: gemini_answer([{"text": s}]),
        lambda n, a: gemini_answer([{"functionCall": {"name": n, "args": json.loads(a)}}]),
        lambda st, m: {"error": {"code": st, "message": m, "status": GEMINI_STATUSES[st]}},
        lambda r: r.headers.get("x-goog-api-key"),
        # Gemini fetches only its own Files API URLs (protocol.md §6 Google Gemini).
        image_url="https://generativelanguage.googleapis.com/v1beta/files/cat",
        count_url="https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens",
        count_answer={"totalTokens": 17},
    ),
]


@pytest.fixture(params=HARNESSES, ids=[h.name for h in HARNESSES])
def harness(request: pytest.FixtureRequest) -> Harness:
    h: Harness = request.param
    return h


def context(h: Harness) -> AdapterContext:
    return AdapterContext(model=ModelRef(provider=h.name, id=h.model), credential=Secret(KEY))


def ask(h: Harness, *parts: Message, **kw: Any) -> ProviderRequest:
    messages = list(parts) or [Message(role=MessageRole.USER, content="Hello")]
    return ProviderRequest(model=f"{h.name}/{h.model}", messages=messages, **kw)


async def run(h: Harness, request: ProviderRequest) -> Any:
    return await h.make(HttpTransport()).run(request, context(h))


@respx.mock
async def test_text_answer_and_canonical_usage(harness: Harness) -> None:
    route = respx.post(harness.url).respond(200, json=harness.text("Hi!"))
    resp = await run(harness, ask(harness))
    assert resp.output.content == [TextPart(text="Hi!")]
    assert resp.finish_reason == FinishReason.STOP
    assert resp.usage.input_tokens == 120  # every prompt token, cached or not
    assert resp.usage.cache_read_tokens == 100
    assert resp.usage.output_tokens == 30 and resp.usage.total_tokens == 150
    assert resp.cost is None or resp.cost.source == "provider_reported"
    assert KEY in (harness.auth(route.calls.last.request) or "")


@respx.mock
async def test_tool_call_with_object_arguments(harness: Harness) -> None:
    respx.post(harness.url).respond(200, json=harness.tool("lookup", '{"q": "x"}'))
    request = ask(
        harness, tools=[ToolDefinition(name="lookup")], tool_choice=NamedToolChoice(name="lookup")
    )
    resp = await run(harness, request)
    calls = [p for p in resp.output.content if isinstance(p, ToolCall)]
    assert [(c.name, c.arguments) for c in calls] == [("lookup", {"q": "x"})]
    assert resp.finish_reason == FinishReason.TOOL_CALLS and resp.finish_reason_raw


@respx.mock
@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ErrorKind.INVALID_REQUEST),
        (401, ErrorKind.AUTHENTICATION),
        (403, ErrorKind.PERMISSION),
        (404, ErrorKind.NOT_FOUND),
        (429, ErrorKind.RATE_LIMITED),
        (500, ErrorKind.SERVER),
        (503, ErrorKind.SERVER),
    ],
)
async def test_error_statuses_map_to_the_same_kinds(
    harness: Harness, status: int, kind: ErrorKind
) -> None:
    respx.post(harness.url).respond(
        status, json=harness.error(status, "something went wrong"), headers={"retry-after": "7"}
    )
    with pytest.raises(ProviderError) as info:
        await run(harness, ask(harness))
    err = info.value
    assert (
        err.kind == kind if status != 503 else err.kind in (ErrorKind.SERVER, ErrorKind.OVERLOADED)
    )
    assert err.status == status and err.provider == harness.make(HttpTransport()).id
    assert KEY not in str(err) and KEY not in repr(err)
    if status == 429:
        assert err.retryable and err.retry_after == 7.0


@respx.mock
async def test_html_error_page_from_a_proxy_is_a_clear_error(harness: Harness) -> None:
    respx.post(harness.url).respond(502, text="<html><h1>502 Bad Gateway</h1></html>")
    with pytest.raises(ProviderError) as info:
        await run(harness, ask(harness))
    assert info.value.kind == ErrorKind.SERVER and info.value.status == 502


@respx.mock
@pytest.mark.parametrize("body", [b"<html>ok</html>", b'{"truncated": ', b"[1, 2, 3]"])
async def test_unusable_success_body_is_a_protocol_error(harness: Harness, body: bytes) -> None:
    respx.post(harness.url).respond(200, content=body)
    with pytest.raises(ProviderError) as info:
        await run(harness, ask(harness))
    assert info.value.kind == ErrorKind.PROTOCOL


# Anthropic, Bedrock and Gemini send tool input as a JSON object, which cannot be invalid JSON.
STRING_ARGUMENTS = [h for h in HARNESSES if h.name not in ("anthropic", "bedrock", "google")]
# Bedrock takes image bytes only; its URL images become a note (tests/fixtures/bedrock).
URL_IMAGES = [h for h in HARNESSES if h.name != "bedrock"]


@respx.mock
@pytest.mark.parametrize("harness", STRING_ARGUMENTS, ids=[h.name for h in STRING_ARGUMENTS])
async def test_invalid_tool_arguments_are_kept_raw_with_a_warning(harness: Harness) -> None:
    respx.post(harness.url).respond(200, json=harness.tool("lookup", '{"q": '))
    resp = await run(harness, ask(harness, tools=[ToolDefinition(name="lookup")]))
    call = resp.output.tool_calls[0]
    assert call.raw_arguments == '{"q": ' and call.arguments == {}
    assert "response.invalid_tool_arguments" in [w.code for w in resp.warnings]


@respx.mock
@pytest.mark.parametrize("harness", URL_IMAGES, ids=[h.name for h in URL_IMAGES])
async def test_images_by_url_and_by_data_are_sent(harness: Harness) -> None:
    route = respx.post(harness.url).respond(200, json=harness.text("A cat."))
    message = Message(
        role=MessageRole.USER,
        content=[
            TextPart(text="What is this?"),
            ImagePart(url=harness.image_url),
            ImagePart(data="iVBORw0KGgo=", media_type="image/png"),
        ],
    )
    await run(harness, ask(harness, message))
    sent = route.calls.last.request.content.decode()
    assert harness.image_url in sent and "iVBORw0KGgo=" in sent


MARKERS = ("cache_control", "prompt_cache_breakpoint", "cachePoint")  # each provider's form


@respx.mock
async def test_no_cache_breakpoint_is_lost_silently(harness: Harness) -> None:
    """Each breakpoint asked for is on the wire as the provider's marker, reported, or honoured
    by a cache the target declares implicit (and then nothing else may happen to it): the
    complaint that started issue 16 is that a translator's silent drop shows only on a bill."""
    route = respx.post(harness.url).respond(200, json=harness.text("ok"))
    bp = CacheBreakpoint()
    request = ask(
        harness,
        Message(role=MessageRole.SYSTEM, content=[TextPart(text="rules"), bp]),
        Message(role=MessageRole.USER, content=[TextPart(text="doc"), bp]),
        Message(role=MessageRole.ASSISTANT, content="noted"),
        Message(role=MessageRole.USER, content=[TextPart(text="question"), bp]),
        cache_key="k",
    )
    adapter = harness.make(HttpTransport())
    ref = ModelRef(provider=harness.name, id=harness.model)
    fitted, warnings = prepare_request(request, ref, None, adapter.capabilities)
    resp = await adapter.run(fitted, context(harness))
    sent = route.calls.last.request.content.decode()
    markers = sum(sent.count(f'"{m}"') for m in MARKERS)
    reported = [*warnings, *resp.warnings]
    dropped = sum(
        len(w.details.get("paths", [])) + len(w.details.get("dropped", []))
        for w in reported
        if w.code in ("cache.breakpoint_dropped", "cache.breakpoints_limited")
    )
    implicit = adapter.capabilities.cache_support(harness.model).implicit
    assert markers + dropped == (0 if implicit else 3)
    assert ('"prompt_cache_key":"k"' in sent) != any(
        w.code == "cache.key_dropped" for w in reported
    )


@respx.mock
async def test_a_429_reports_the_rate_limit_its_headers_state(harness: Harness) -> None:
    headers = harness.limits or {"x-ratelimit-remaining-requests": "0"}  # not its names: unread
    respx.post(harness.url).respond(429, json=harness.error(429, "slow down"), headers=headers)
    with pytest.raises(ProviderError) as caught:
        await run(harness, ask(harness))
    assert caught.value.kind is ErrorKind.RATE_LIMITED
    snapshot = caught.value.rate_limit
    if harness.limits is None:
        assert snapshot is None
        return
    assert snapshot is not None and snapshot.requests is not None
    assert (snapshot.requests.limit, snapshot.requests.remaining) == (10, 0)


@respx.mock
async def test_counting_is_declared_exactly_where_an_endpoint_exists(harness: Harness) -> None:
    adapter = harness.make(HttpTransport())
    assert isinstance(adapter, TokenCounter)
    assert adapter.counts_tokens is (harness.count_url is not None)
    if harness.count_url is None:
        return
    route = respx.post(harness.count_url).respond(200, json=harness.count_answer)
    counted = await adapter.count_tokens(ask(harness), context(harness))
    assert (counted.input_tokens, counted.source, counted.provider) == (
        17,
        "provider",
        harness.name,
    )
    assert KEY in (harness.auth(route.calls.last.request) or "")
    respx.post(harness.count_url).respond(400, json=harness.error(400, "bad"))
    with pytest.raises(ProviderError) as caught:
        await adapter.count_tokens(ask(harness), context(harness))
    assert caught.value.kind is ErrorKind.INVALID_REQUEST
