"""AnthropicAdapter over mocked HTTP (respx), plus decoder edge cases and encoder properties.

The golden request/response/error shapes live in tests/fixtures/anthropic (contract suite);
this file checks the HTTP glue: URL, headers, the body actually sent, status -> error kind,
request ids, retries and model discovery.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import httpx
import msgspec
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provider_runtime.core.errors import ConfigError, ErrorKind, ProviderError
from provider_runtime.core.traits import ProviderAdapter
from provider_runtime.core.types import (
    REASONING_EFFORTS,
    AdapterContext,
    FinishReason,
    ImagePart,
    JsonSchemaFormat,
    Message,
    MessageRole,
    ModelInfo,
    ModelRef,
    NamedToolChoice,
    ProviderRequest,
    ReasoningConfig,
    ReasoningPart,
    Secret,
    SystemPlacement,
    TextPart,
    ToolCall,
    ToolChoiceMode,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.providers.anthropic import (
    AnthropicAdapter,
    decode_anthropic_error,
    decode_anthropic_models,
    decode_anthropic_response,
    encode_anthropic_request,
)
from provider_runtime.transport.http import HttpTransport, RetryPolicy
from tests.openapi import validate, validate_request

MODEL = "claude-sonnet-4-5-20250929"
URL = "https://api.anthropic.com/v1/messages"
MODELS_URL = "https://api.anthropic.com/v1/models"
KEY = "sk-ant-api03-TESTKEY-never-shown"
NO_RETRY = RetryPolicy(max_retries=0)


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def transport() -> Any:
    t = HttpTransport(client=httpx.AsyncClient(), sleep=_no_sleep, rand=lambda: 0.0)
    yield t
    await t.aclose()


def _context(**kw: Any) -> AdapterContext:
    return AdapterContext(
        model=ModelRef(provider="anthropic", id=MODEL), credential=Secret(KEY), **kw
    )


def _request(**kw: Any) -> ProviderRequest:
    kw.setdefault("messages", [Message(role=MessageRole.USER, content="Hello")])
    return ProviderRequest(model=f"anthropic/{MODEL}", **kw)


def _message(content: list[dict[str, Any]], stop: str = "end_turn", **extra: Any) -> dict[str, Any]:
    return {
        "id": "msg_01HcPq2rStUvWxYz",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 10,
            "output_tokens": 4,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "cache_creation": None,
            "server_tool_use": None,
            "service_tier": "standard",
        },
        **extra,
    }


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_body"}


# --------------------------------------------------------------------------- run


def test_satisfies_the_adapter_protocol_and_declares_capabilities(transport: HttpTransport) -> None:
    adapter = AnthropicAdapter(transport)
    assert isinstance(adapter, ProviderAdapter)
    caps = adapter.capabilities
    assert adapter.id == "anthropic"
    assert caps.system_placement is SystemPlacement.TOP_LEVEL
    assert caps.requires_alternation is True
    assert caps.tool_call_id_pattern == "^[a-zA-Z0-9_-]+$"
    assert caps.reasoning is True and caps.reasoning_replay is True
    assert caps.json_mode is False and caps.json_schema is True


async def test_run_posts_the_native_body_with_auth_and_version_headers(
    transport: HttpTransport,
    respx_mock: respx.MockRouter,
) -> None:
    route = respx_mock.post(URL).mock(
        return_value=httpx.Response(
            200,
            json=_message([{"type": "text", "text": "Hi there", "citations": None}]),
            headers={"request-id": "req_011CabcHeader"},
        )
    )
    adapter = AnthropicAdapter(transport, retry=NO_RETRY)
    request = _request(
        messages=[
            Message(role=MessageRole.SYSTEM, content="Be kind."),
            Message(role=MessageRole.USER, content="Hello"),
        ],
        max_output_tokens=100,
        metadata={"user_id": "u1", "other": "x"},
    )

    response = await adapter.run(request, _context())

    sent = route.calls.last.request
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.headers["content-type"] == "application/json"
    assert "authorization" not in sent.headers
    body = json.loads(sent.content)
    assert body == {
        "model": MODEL,
        "max_tokens": 100,
        "system": "Be kind.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
        "metadata": {"user_id": "u1"},
    }
    validate_request("anthropic", "/v1/messages", body)
    assert response.output.text == "Hi there"
    assert response.request_id == "req_011CabcHeader"
    assert response.finish_reason is FinishReason.STOP
    assert [w.code for w in response.warnings] == ["unsupported.metadata"]


async def test_base_url_version_and_extra_headers_are_configurable(
    transport: HttpTransport,
    respx_mock: respx.MockRouter,
) -> None:
    route = respx_mock.post("https://proxy.internal/anthropic/v1/messages").mock(
        return_value=httpx.Response(200, json=_message([]))
    )
    adapter = AnthropicAdapter(
        transport,
        provider_id="claude-proxy",
        base_url="https://proxy.internal/anthropic/",
        anthropic_version="2024-01-01",
        headers={"anthropic-beta": "prompt-caching-2024-07-31", "X-Team": "docs"},
        default_max_tokens=777,
    )

    response = await adapter.run(_request(), _context())

    sent = route.calls.last.request
    assert sent.headers["anthropic-version"] == "2024-01-01"
    assert sent.headers["anthropic-beta"] == "prompt-caching-2024-07-31"
    assert sent.headers["x-team"] == "docs"
    assert json.loads(sent.content)["max_tokens"] == 777
    assert response.provider == "claude-proxy"
    assert response.request_id == "msg_01HcPq2rStUvWxYz"  # no header: the message id


@pytest.mark.parametrize("name", ["x-api-key", "X-Api-Key"])
def test_extra_headers_may_not_replace_the_api_key(transport: HttpTransport, name: str) -> None:
    with pytest.raises(ConfigError, match="x-api-key"):
        AnthropicAdapter(transport, headers={name: "sk-other"})


async def test_without_credential_no_key_header_is_sent(
    transport: HttpTransport, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(URL).mock(return_value=httpx.Response(200, json=_message([])))
    context = AdapterContext(model=ModelRef(provider="anthropic", id=MODEL))
    await AnthropicAdapter(transport).run(_request(), context)
    assert "x-api-key" not in route.calls.last.request.headers


@pytest.mark.parametrize(("model_limit", "sent"), [(64000, 4096), (2048, 2048), (None, 4096)])
async def test_unset_max_tokens_is_the_default_capped_by_the_catalog_limit(
    transport: HttpTransport, respx_mock: respx.MockRouter, model_limit: int | None, sent: int
) -> None:
    route = respx_mock.post(URL).mock(return_value=httpx.Response(200, json=_message([])))
    info = ModelInfo(provider="anthropic", id=MODEL, max_output_tokens=model_limit)
    await AnthropicAdapter(transport).run(_request(), _context(model_info=info))
    assert json.loads(route.calls.last.request.content)["max_tokens"] == sent


async def test_json_schema_answer_comes_back_as_text(
    transport: HttpTransport, respx_mock: respx.MockRouter
) -> None:
    tool_use = {"type": "tool_use", "id": "toolu_01J", "name": "json_response", "input": {"a": 1}}
    route = respx_mock.post(URL).mock(
        return_value=httpx.Response(200, json=_message([tool_use], stop="tool_use"))
    )
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    request = _request(response_format=JsonSchemaFormat(name="thing", schema=schema))

    response = await AnthropicAdapter(transport).run(request, _context())

    sent = json.loads(route.calls.last.request.content)
    assert sent["tool_choice"] == {"type": "tool", "name": "json_response"}
    assert response.output.text == '{"a":1}'
    assert response.output.tool_calls == []
    assert response.finish_reason is FinishReason.STOP
    assert response.finish_reason_raw == "tool_use"


async def test_a_tool_named_like_the_json_tool_is_not_hijacked(
    transport: HttpTransport, respx_mock: respx.MockRouter
) -> None:
    tool_use = {"type": "tool_use", "id": "toolu_01K", "name": "json_response", "input": {}}
    respx_mock.post(URL).mock(
        return_value=httpx.Response(200, json=_message([tool_use], "tool_use"))
    )
    request = _request(tools=[ToolDefinition(name="json_response")])
    response = await AnthropicAdapter(transport).run(request, _context())
    assert [c.name for c in response.output.tool_calls] == ["json_response"]
    assert response.finish_reason is FinishReason.TOOL_CALLS


async def test_context_timeout_wins_over_the_adapter_timeout(
    transport: HttpTransport, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(URL).mock(return_value=httpx.Response(200, json=_message([])))
    adapter = AnthropicAdapter(transport, timeout=300.0)
    await adapter.run(_request(), _context(timeout=12.5))
    assert route.calls.last.request.extensions["timeout"]["read"] == 12.5


# --------------------------------------------------------------------------- errors over HTTP

ERROR_CASES = [
    (400, _error("invalid_request_error", "max_tokens: Field required"), ErrorKind.INVALID_REQUEST),
    (
        400,
        _error("invalid_request_error", "prompt is too long: 201000 tokens > 200000 maximum"),
        ErrorKind.CONTEXT_LENGTH_EXCEEDED,
    ),
    (401, _error("authentication_error", "invalid x-api-key"), ErrorKind.AUTHENTICATION),
    (403, _error("permission_error", "not allowed"), ErrorKind.PERMISSION),
    (404, _error("not_found_error", "model: claude-nope"), ErrorKind.NOT_FOUND),
    (
        413,
        _error("request_too_large", "Request exceeds the maximum size"),
        ErrorKind.REQUEST_TOO_LARGE,
    ),
    (
        429,
        _error("rate_limit_error", "Number of requests has exceeded your rate limit"),
        ErrorKind.RATE_LIMITED,
    ),
    (500, _error("api_error", "Internal server error"), ErrorKind.SERVER),
    (503, "<html><body>Service Unavailable</body></html>", ErrorKind.SERVER),
    (529, _error("overloaded_error", "Overloaded"), ErrorKind.OVERLOADED),
    (418, "I'm a teapot", ErrorKind.INVALID_REQUEST),
    (599, "", ErrorKind.SERVER),
]


@pytest.mark.parametrize(("status", "body", "kind"), ERROR_CASES)
async def test_http_errors_map_to_kinds(
    transport: HttpTransport, status: int, body: Any, kind: ErrorKind, respx_mock: respx.MockRouter
) -> None:
    headers = {"request-id": "req_hdr_1", "retry-after": "3"}
    response = (
        httpx.Response(status, json=body, headers=headers)
        if isinstance(body, dict)
        else httpx.Response(status, text=body, headers=headers)
    )
    respx_mock.post(URL).mock(return_value=response)

    with pytest.raises(ProviderError) as info:
        await AnthropicAdapter(transport, retry=NO_RETRY).run(_request(), _context())

    error = info.value
    assert error.kind is kind
    assert error.status == status
    assert error.provider == "anthropic"
    assert error.request_id == "req_hdr_1"
    assert error.retry_after == 3.0
    assert KEY not in str(error) and KEY not in repr(error)
    if not isinstance(body, dict):
        assert "non-JSON error body" in error.message


async def test_overloaded_is_retried_then_succeeds(
    transport: HttpTransport, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(URL).mock(
        side_effect=[
            httpx.Response(529, json=_error("overloaded_error", "Overloaded")),
            httpx.Response(200, json=_message([{"type": "text", "text": "ok", "citations": None}])),
        ]
    )
    response = await AnthropicAdapter(transport, retry=RetryPolicy(max_retries=2)).run(
        _request(), _context()
    )
    assert response.output.text == "ok"
    assert route.call_count == 2


async def test_html_with_status_200_is_a_protocol_error(
    transport: HttpTransport, respx_mock: respx.MockRouter
) -> None:
    page = "<html>" + "x" * 5000 + "</html>"
    respx_mock.post(URL).mock(return_value=httpx.Response(200, text=page))
    with pytest.raises(ProviderError) as info:
        await AnthropicAdapter(transport).run(_request(), _context())
    assert info.value.kind is ErrorKind.PROTOCOL
    assert len(info.value.message) < 400


def test_error_body_request_id_is_used_without_header() -> None:
    body = json.dumps(_error("api_error", "boom")).encode()
    error = decode_anthropic_error(
        500, body, provider="anthropic", request_id=None, retry_after=None
    )
    assert error.request_id == "req_body"
    assert error.provider_code == "api_error"
    assert error.retryable is True


def test_unknown_error_type_falls_back_to_the_status() -> None:
    body = json.dumps(_error("shiny_new_error", "what")).encode()
    error = decode_anthropic_error(
        429, body, provider="anthropic", request_id=None, retry_after=None
    )
    assert error.kind is ErrorKind.RATE_LIMITED
    assert error.provider_code == "shiny_new_error"


def test_json_error_body_of_another_shape_is_reported() -> None:
    error = decode_anthropic_error(
        502, b'["not", "an", "object"]', provider="anthropic", request_id=None, retry_after=None
    )
    assert error.kind is ErrorKind.SERVER
    assert "without an `error` object" in error.message


# --------------------------------------------------------------------------- discovery


def _models_page(ids: list[str], has_more: bool) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "model",
                "id": i,
                "display_name": i.title(),
                "created_at": "2025-09-29T00:00:00Z",
            }
            for i in ids
        ],
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
        "has_more": has_more,
    }


async def test_discovery_follows_pagination(
    transport: HttpTransport, respx_mock: respx.MockRouter
) -> None:
    first = _models_page(["claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805"], True)
    second = _models_page(["claude-3-5-haiku-20241022"], False)
    validate("anthropic", "ListResponse_ModelInfo_", first)
    route = respx_mock.get(MODELS_URL).mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)]
    )

    models = await AnthropicAdapter(transport).discover_models(Secret(KEY))

    assert [m.id for m in models] == [
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-1-20250805",
        "claude-3-5-haiku-20241022",
    ]
    assert all(m.provider == "anthropic" and m.source == "remote" for m in models)
    assert models[0].display_name == "Claude-Sonnet-4-5-20250929"
    first_call, second_call = route.calls
    assert first_call.request.url.params["limit"] == "1000"
    assert "after_id" not in first_call.request.url.params
    assert second_call.request.url.params["after_id"] == "claude-opus-4-1-20250805"
    assert first_call.request.headers["x-api-key"] == KEY
    assert first_call.request.headers["anthropic-version"] == "2023-06-01"


async def test_discovery_stops_after_max_pages(
    transport: HttpTransport, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(MODELS_URL).mock(
        side_effect=lambda request: httpx.Response(
            200, json=_models_page([f"m-{request.url.params.get('after_id', '0')}x"], True)
        )
    )
    models = await AnthropicAdapter(transport, max_model_pages=3).discover_models(None)
    assert route.call_count == 3
    assert len(models) == 3


async def test_discovery_errors_are_decoded(
    transport: HttpTransport, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(MODELS_URL).mock(
        return_value=httpx.Response(401, json=_error("authentication_error", "invalid x-api-key"))
    )
    with pytest.raises(ProviderError) as info:
        await AnthropicAdapter(transport, retry=NO_RETRY).discover_models(Secret("bad"))
    assert info.value.kind is ErrorKind.AUTHENTICATION


def test_models_body_without_data_is_a_protocol_error() -> None:
    with pytest.raises(ProviderError) as info:
        decode_anthropic_models(b'{"object": "list"}', provider="anthropic")
    assert info.value.kind is ErrorKind.PROTOCOL


# --------------------------------------------------------------------------- decoder edges


def _decode(content: list[dict[str, Any]], stop: str | None = "end_turn", **kw: Any) -> Any:
    body = json.dumps(_message(content, stop=stop)).encode()  # type: ignore[arg-type]
    return decode_anthropic_response(body, provider="anthropic", **kw)


def test_tool_input_that_is_not_an_object_is_kept_raw_with_a_warning() -> None:
    response = _decode(
        [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": '{"a": '}], "tool_use"
    )
    (call,) = response.output.tool_calls
    assert call.arguments == {} and call.raw_arguments == '{"a": '
    assert [w.code for w in response.warnings] == ["response.invalid_tool_arguments"]


def test_tool_input_given_as_a_json_string_is_parsed() -> None:
    response = _decode(
        [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": '{"a": 1}'}], "tool_use"
    )
    assert response.output.tool_calls[0].arguments == {"a": 1}
    assert response.warnings == []


def test_unknown_and_missing_stop_reasons_are_other_with_raw_kept() -> None:
    unknown = _decode([], stop="brand_new_reason")
    assert unknown.finish_reason is FinishReason.OTHER
    assert unknown.finish_reason_raw == "brand_new_reason"
    assert [w.code for w in unknown.warnings] == ["response.unknown_finish_reason"]
    missing = _decode([], stop=None)
    assert missing.finish_reason is FinishReason.OTHER and missing.finish_reason_raw is None


def test_reasoning_parts_record_provider_and_model() -> None:
    response = _decode([{"type": "thinking", "thinking": "hmm", "signature": "sig"}])
    (part,) = response.output.content
    assert part == ReasoningPart(text="hmm", signature="sig", provider="anthropic", model=MODEL)


@pytest.mark.parametrize(
    "body",
    [b"not json at all", b'{"type": "message"}', b'{"type": "error", "content": []}', b"[1, 2]"],
)
def test_bodies_that_are_not_messages_are_protocol_errors(body: bytes) -> None:
    with pytest.raises(ProviderError) as info:
        decode_anthropic_response(body, provider="anthropic", request_id="req_9")
    assert info.value.kind is ErrorKind.PROTOCOL
    assert info.value.request_id == "req_9"


# --------------------------------------------------------------------------- encoder rules


def _codes(warnings: list[Any], code: str) -> list[Any]:
    return [w for w in warnings if w.code == code]


def test_temperature_and_top_p_together_send_only_temperature() -> None:
    # Claude Sonnet 4.5, Opus 4.1+ and Haiku 4.5 answer 400 "`temperature` and `top_p` cannot
    # both be specified for this model"; Anthropic advises altering one or the other.
    body, warnings = encode_anthropic_request(_request(temperature=0.4, top_p=0.9), MODEL)
    assert body["temperature"] == 0.4
    assert "top_p" not in body
    [warning] = _codes(warnings, "unsupported.sampling_parameters")
    assert warning.details == {"parameters": ["top_p"], "requested": {"top_p": 0.9}}


def test_top_p_alone_is_sent() -> None:
    body, warnings = encode_anthropic_request(_request(top_p=0.9), MODEL)
    assert body["top_p"] == 0.9
    assert "temperature" not in body and warnings == []


def test_temperature_and_top_p_with_thinking_send_only_temperature() -> None:
    request = _request(temperature=1.0, top_p=0.97, reasoning=ReasoningConfig(effort="low"))
    body, warnings = encode_anthropic_request(request, MODEL)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["temperature"] == 1.0
    assert "top_p" not in body
    [warning] = _codes(warnings, "unsupported.sampling_parameters")
    assert warning.details["parameters"] == ["top_p"]


def test_assistant_prefill_leaves_thinking_out() -> None:
    # "Prefilling is only available for non-extended thinking modes" (Anthropic's prefill docs).
    messages = [
        Message(role=MessageRole.USER, content="Name a prime above 100 as JSON."),
        Message(role=MessageRole.ASSISTANT, content='{"prime":'),
    ]
    request = _request(messages=messages, reasoning=ReasoningConfig(effort="low"), temperature=0.2)
    body, warnings = encode_anthropic_request(request, MODEL)
    assert "thinking" not in body
    assert body["messages"][-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": '{"prime":'}],
    }
    assert body["temperature"] == 0.2  # thinking is off, so any temperature may be sent
    [warning] = _codes(warnings, "unsupported.reasoning")
    assert "prefill" in warning.message


def test_json_schema_with_a_named_tool_choice_is_reported_not_silently_dropped() -> None:
    request = _request(
        tools=[ToolDefinition(name="lookup")],
        tool_choice=NamedToolChoice(name="lookup"),
        response_format=JsonSchemaFormat(name="answer", schema={"type": "object"}),
    )
    body, warnings = encode_anthropic_request(request, MODEL)
    assert [t["name"] for t in body["tools"]] == ["lookup"]  # no json_response tool
    assert body["tool_choice"] == {"type": "tool", "name": "lookup"}
    [warning] = _codes(warnings, "unsupported.json_schema")
    assert "lookup" in warning.message


def test_thinking_stays_on_when_the_last_turn_is_the_user_s() -> None:
    messages = [
        Message(role=MessageRole.USER, content="Hi"),
        Message(role=MessageRole.ASSISTANT, content="Hello!"),
        Message(role=MessageRole.USER, content="Is 91 prime?"),
    ]
    body, warnings = encode_anthropic_request(
        _request(messages=messages, reasoning=ReasoningConfig(effort="low")), MODEL
    )
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert warnings == []


# --------------------------------------------------------------------------- encoder properties

_IDS = st.from_regex(re.compile(r"toolu_[A-Za-z0-9]{1,12}"), fullmatch=True)
_TEXT = st.text(min_size=0, max_size=20)
_IMAGE = st.one_of(
    st.builds(ImagePart, url=st.just("https://example.com/a.png")),
    st.builds(
        ImagePart,
        data=st.just("iVBORw0KGgo="),
        media_type=st.sampled_from(["image/png", "image/jpeg", "image/tiff"]),
    ),
)
_REASONING = st.builds(
    ReasoningPart,
    text=_TEXT,
    signature=st.one_of(st.none(), st.just("sig")),
    redacted=st.booleans(),
    data=st.one_of(st.none(), st.just("opaque")),
    provider=st.sampled_from([None, "anthropic", "openai"]),
    model=st.sampled_from([None, MODEL, "o3"]),
)
_PART = st.one_of(
    st.builds(TextPart, text=_TEXT),
    _IMAGE,
    st.builds(ToolCall, id=_IDS, name=st.just("lookup"), arguments=st.just({"q": "x"})),
    st.builds(
        ToolResult,
        tool_call_id=_IDS,
        content=st.one_of(_TEXT, st.lists(st.one_of(st.builds(TextPart, text=_TEXT), _IMAGE))),
        is_error=st.booleans(),
    ),
    _REASONING,
)
_MESSAGE = st.builds(
    Message,
    role=st.sampled_from(list(MessageRole)),
    content=st.one_of(_TEXT, st.lists(_PART, max_size=4)),
)
_REQUEST = st.builds(
    ProviderRequest,
    model=st.just(f"anthropic/{MODEL}"),
    messages=st.lists(_MESSAGE, max_size=6),
    tools=st.one_of(st.just([]), st.just([ToolDefinition(name="lookup")])),
    tool_choice=st.sampled_from([None, *ToolChoiceMode]),
    temperature=st.one_of(st.none(), st.floats(0, 2)),
    top_p=st.one_of(st.none(), st.floats(0, 1)),
    max_output_tokens=st.one_of(st.none(), st.integers(1, 40000)),
    reasoning=st.one_of(
        st.none(),
        st.builds(
            ReasoningConfig,
            effort=st.sampled_from([None, *REASONING_EFFORTS]),
            budget_tokens=st.one_of(st.none(), st.integers(0, 50000)),
        ),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_REQUEST)
def test_any_canonical_request_encodes_to_a_valid_native_body(request: ProviderRequest) -> None:
    body, warnings = encode_anthropic_request(request, MODEL)
    again, _ = encode_anthropic_request(request, MODEL)
    assert msgspec.json.encode(body) == msgspec.json.encode(again)  # deterministic
    validate_request("anthropic", "/v1/messages", body)
    roles = [m["role"] for m in body["messages"]]
    assert all(a != b for a, b in itertools.pairwise(roles))  # alternation
    for turn in body["messages"]:
        types = [b["type"] for b in turn["content"]]
        assert types, "no empty turn is sent"
        nested = [
            c for b in turn["content"] if isinstance(b.get("content"), list) for c in b["content"]
        ]
        for block in [*turn["content"], *nested]:
            assert block["type"] != "text" or block["text"].strip(), "no blank text block"
        if turn["role"] == "user":
            results = [t == "tool_result" for t in types]
            assert results == sorted(results, reverse=True)  # tool results open the turn
    thinking = body.get("thinking", {})
    if thinking.get("type") == "enabled":
        assert 1024 <= thinking["budget_tokens"] < body["max_tokens"]
        assert body.get("temperature", 1.0) == 1.0
        assert body.get("tool_choice", {"type": "auto"})["type"] in ("auto", "none")
        last = body["messages"][-1:]
        assert not last or last[0]["role"] == "user"  # no assistant prefill with thinking
    assert not ("temperature" in body and "top_p" in body)  # current models take one of them
    assert all(w.code.startswith("unsupported.") for w in warnings)


def test_cache_writes_are_split_by_lifetime() -> None:
    body = _message([{"type": "text", "text": "ok", "citations": None}])
    body["usage"].update(
        input_tokens=50,
        cache_creation_input_tokens=3000,
        cache_creation={"ephemeral_5m_input_tokens": 2000, "ephemeral_1h_input_tokens": 1000},
    )
    validate("anthropic", "Message", body)
    usage = decode_anthropic_response(json.dumps(body).encode(), provider="anthropic").usage
    assert (usage.input_tokens, usage.cache_write_tokens, usage.cache_write_1h_tokens) == (
        3050,
        3000,
        1000,
    )
