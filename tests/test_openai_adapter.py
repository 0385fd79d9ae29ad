"""OpenAIAdapter over mocked HTTP (respx): URL, headers, body sent, errors, request ids, discovery.

Plus translator properties that must hold for every canonical request (hypothesis): encoding
never crashes, is deterministic, and always produces a body valid under OpenAI's request schema.
"""

from __future__ import annotations

import json
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
    Message,
    MessageRole,
    ModelRef,
    ProviderRequest,
    ReasoningConfig,
    ReasoningPart,
    Secret,
    SystemPlacement,
    TextPart,
    ToolCall,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.providers.openai import (
    OPENAI_CAPABILITIES,
    OpenAIAdapter,
    encode_openai_request,
    is_reasoning_family,
)
from provider_runtime.transport.http import HttpResponse, HttpTransport, RetryPolicy
from tests.openapi import validate_request

URL = "https://api.openai.com/v1/chat/completions"
KEY = "sk-proj-test-0123456789"


def completion(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-body-id",
        "object": "chat.completion",
        "created": 1741569952,
        "model": "gpt-4o-2024-08-06",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hi there", "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
    }
    body.update(overrides)
    return body


def request(**kwargs: Any) -> ProviderRequest:
    kwargs.setdefault("messages", [Message(role=MessageRole.USER, content="Hello")])
    return ProviderRequest(model="openai/gpt-4o", **kwargs)


def context(model: str = "gpt-4o", key: str | None = KEY, **kwargs: Any) -> AdapterContext:
    return AdapterContext(
        model=ModelRef(provider="openai", id=model),
        credential=Secret(key) if key is not None else None,
        **kwargs,
    )


def no_retry() -> RetryPolicy:
    return RetryPolicy(max_retries=0)


@pytest.fixture
def adapter() -> OpenAIAdapter:
    return OpenAIAdapter(HttpTransport(client=httpx.AsyncClient()), retry=no_retry())


def sent_json(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


async def test_run_posts_to_chat_completions_with_bearer_auth(adapter: OpenAIAdapter) -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL).respond(200, json=completion(), headers={"x-request-id": "req_1"})
        response = await adapter.run(request(max_output_tokens=50), context())

    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "application/json"
    assert sent_json(route) == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Hello"}],
        "max_completion_tokens": 50,
    }
    assert response.provider == "openai"
    assert response.model == "gpt-4o-2024-08-06"
    assert response.output.text == "Hi there"
    assert response.finish_reason is FinishReason.STOP
    assert response.usage.total_tokens == 12
    assert response.cost is None  # OpenAI reports no cost; pricing is the runtime's job
    assert response.request_id == "req_1"  # the header wins over the body's id


async def test_native_model_is_the_context_model_not_the_request_string(
    adapter: OpenAIAdapter,
) -> None:
    with respx.mock() as mock:
        route = mock.post(URL).respond(200, json=completion())
        response = await adapter.run(request(), context(model="gpt-4.1-mini"))
    assert sent_json(route)["model"] == "gpt-4.1-mini"
    assert response.request_id == "chatcmpl-body-id"  # no header: the body's id


async def test_custom_base_url_extra_headers_and_no_credential() -> None:
    adapter = OpenAIAdapter(
        HttpTransport(client=httpx.AsyncClient()),
        base_url="https://proxy.internal/openai/v1/",
        headers={"OpenAI-Organization": "org-123", "OpenAI-Project": "proj_9"},
        retry=no_retry(),
    )
    with respx.mock() as mock:
        route = mock.post("https://proxy.internal/openai/v1/chat/completions").respond(
            200, json=completion()
        )
        await adapter.run(request(), context(key=None))
    sent = route.calls.last.request
    assert "authorization" not in sent.headers
    assert sent.headers["openai-organization"] == "org-123"
    assert sent.headers["openai-project"] == "proj_9"


def test_extra_headers_may_not_set_authorization() -> None:
    with pytest.raises(ConfigError, match="Authorization") as info:
        OpenAIAdapter(
            HttpTransport(client=httpx.AsyncClient()),
            headers={"AUTHORIZATION": "Bearer sk-other"},
        )
    assert "sk-other" not in str(info.value)
    assert info.value.key == "providers.openai.headers"


async def test_encode_warnings_come_before_decode_warnings(adapter: OpenAIAdapter) -> None:
    refusal = completion(
        choices=[
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "refusal": "No."},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ]
    )
    with respx.mock() as mock:
        mock.post(URL).respond(200, json=refusal)
        response = await adapter.run(request(metadata={"k": "v"}), context())
    assert [w.code for w in response.warnings] == ["unsupported.metadata", "response.refusal"]
    assert response.finish_reason is FinishReason.CONTENT_FILTER


async def test_store_completions_sends_metadata_with_store() -> None:
    adapter = OpenAIAdapter(
        HttpTransport(client=httpx.AsyncClient()), store_completions=True, retry=no_retry()
    )
    with respx.mock() as mock:
        route = mock.post(URL).respond(200, json=completion())
        response = await adapter.run(request(metadata={"k": "v"}), context())
    assert sent_json(route)["metadata"] == {"k": "v"}
    assert sent_json(route)["store"] is True
    assert response.warnings == []


def oerr(message: str, code: str | None = None, type_: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (
            400,
            oerr("bad", type_="invalid_request_error"),
            "invalid_request",
            "invalid_request_error",
        ),
        (401, oerr("Incorrect API key", "invalid_api_key"), "authentication", "invalid_api_key"),
        (403, oerr("forbidden", type_="request_forbidden"), "permission", "request_forbidden"),
        (404, oerr("no model", "model_not_found"), "not_found", "model_not_found"),
        (408, oerr("timeout"), "timeout", None),
        (409, oerr("conflict"), "server", None),
        (413, oerr("too big"), "request_too_large", None),
        (422, oerr("unprocessable"), "invalid_request", None),
        (429, oerr("slow down", "rate_limit_exceeded"), "rate_limited", "rate_limit_exceeded"),
        (500, oerr("oops", type_="server_error"), "server", "server_error"),
        (502, oerr("bad gateway"), "server", None),
        (503, oerr("unavailable"), "server", None),
        (504, oerr("gateway timeout"), "server", None),
        (529, oerr("overloaded"), "overloaded", None),
        (418, oerr("teapot"), "invalid_request", None),
    ],
)
async def test_http_status_maps_to_error_kind(
    adapter: OpenAIAdapter, status: int, body: dict[str, Any], kind: str, code: str | None
) -> None:
    with respx.mock() as mock:
        mock.post(URL).respond(status, json=body, headers={"x-request-id": "req_err"})
        with pytest.raises(ProviderError) as info:
            await adapter.run(request(), context())
    error = info.value
    assert error.kind == ErrorKind(kind)
    assert error.status == status
    assert error.provider == "openai"
    assert error.request_id == "req_err"
    assert error.provider_code == code
    # A 404 also names the URL requested (protocol.md §8.9); other statuses quote the provider.
    located = "; requested POST https://api.openai.com/v1/chat/completions" if status == 404 else ""
    assert error.message == body["error"]["message"] + located
    assert KEY not in str(error) and KEY not in repr(error)


async def test_rate_limit_reports_retry_after_once_retries_are_spent() -> None:
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    transport = HttpTransport(client=httpx.AsyncClient(), sleep=sleep, rand=lambda: 0.0)
    adapter = OpenAIAdapter(transport, retry=RetryPolicy(max_retries=1, deadline=None))
    limited = httpx.Response(
        429,
        json={"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
        headers={"retry-after": "2"},
    )
    with respx.mock() as mock:
        route = mock.post(URL).mock(side_effect=[limited, limited])
        with pytest.raises(ProviderError) as info:
            await adapter.run(request(), context())
    assert route.call_count == 2  # one retry, honouring Retry-After
    assert sleeps == [2.0]
    assert info.value.kind is ErrorKind.RATE_LIMITED
    assert info.value.retry_after == 2.0
    assert info.value.retryable is True


async def test_server_error_then_success_is_retried_by_the_transport() -> None:
    async def sleep(delay: float) -> None:
        return None

    transport = HttpTransport(client=httpx.AsyncClient(), sleep=sleep)
    adapter = OpenAIAdapter(transport, retry=RetryPolicy(max_retries=2))
    with respx.mock() as mock:
        route = mock.post(URL).mock(
            side_effect=[
                httpx.Response(500, json={"error": {"message": "oops"}}),
                httpx.Response(200, json=completion()),
            ]
        )
        response = await adapter.run(request(), context())
    assert route.call_count == 2
    assert response.output.text == "Hi there"


async def test_html_error_page_is_a_clear_error_not_a_crash(adapter: OpenAIAdapter) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 5000 + "</body></html>"
    with respx.mock() as mock:
        mock.post(URL).respond(502, text=page, headers={"content-type": "text/html"})
        with pytest.raises(ProviderError) as info:
            await adapter.run(request(), context())
    assert info.value.kind is ErrorKind.SERVER
    assert info.value.message.startswith("non-JSON error body (HTTP 502): 502 Bad Gateway")
    quoted, _, requested = info.value.message.partition("; requested ")
    assert len(quoted) < 260  # the page is quoted briefly, then the URL it came from is named
    assert requested == "POST https://api.openai.com/v1/chat/completions"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>maintenance</html>", "chat completion is not JSON: maintenance"),
        (b'{"choices": "nope"}', "chat completion has an unexpected shape"),
        (b'{"id": "x", "choices": []}', "response has no choices"),
        (b"", "chat completion is not JSON"),
    ],
)
async def test_malformed_success_body_is_a_protocol_error(
    adapter: OpenAIAdapter, body: bytes, problem: str
) -> None:
    with respx.mock() as mock:
        mock.post(URL).respond(200, content=body)
        with pytest.raises(ProviderError) as info:
            await adapter.run(request(), context())
    assert info.value.kind is ErrorKind.PROTOCOL
    assert problem in info.value.message


class RecordingTransport:
    """Stands in for HttpTransport to see the per-call arguments the adapter passes."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.calls: list[dict[str, Any]] = []

    async def request(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        self.calls.append({"method": method, "url": url, **kwargs})
        return HttpResponse(200, {}, self.body, url)


async def test_timeout_and_retry_policy_are_forwarded() -> None:
    transport = RecordingTransport(json.dumps(completion()).encode())
    policy = RetryPolicy(max_retries=5)
    adapter = OpenAIAdapter(transport, timeout=30.0, retry=policy)  # type: ignore[arg-type]
    await adapter.run(request(), context())
    await adapter.run(request(), context(timeout=5.0))
    assert [c["timeout"] for c in transport.calls] == [30.0, 5.0]  # the call's own wins
    assert all(c["retry"] is policy and c["provider"] == "openai" for c in transport.calls)


async def test_discover_models_lists_remote_models(adapter: OpenAIAdapter) -> None:
    listing = {
        "object": "list",
        "data": [
            {"id": "o3", "object": "model", "created": 1, "owned_by": "system"},
            {"id": "gpt-4o", "object": "model", "created": 2, "owned_by": "system"},
        ],
    }
    with respx.mock() as mock:
        route = mock.get("https://api.openai.com/v1/models").respond(200, json=listing)
        models = await adapter.discover_models(Secret(KEY))
    assert route.calls.last.request.headers["authorization"] == f"Bearer {KEY}"
    assert "content-type" not in route.calls.last.request.headers
    assert [(m.provider, m.id, m.source) for m in models] == [
        ("openai", "gpt-4o", "remote"),
        ("openai", "o3", "remote"),
    ]


async def test_discovery_errors_are_decoded(adapter: OpenAIAdapter) -> None:
    with respx.mock() as mock:
        mock.get("https://api.openai.com/v1/models").respond(
            401, json={"error": {"message": "bad key", "code": "invalid_api_key"}}
        )
        with pytest.raises(ProviderError) as info:
            await adapter.discover_models(Secret(KEY))
    assert info.value.kind is ErrorKind.AUTHENTICATION


def test_official_capabilities_and_protocol(adapter: OpenAIAdapter) -> None:
    assert isinstance(adapter, ProviderAdapter)
    assert adapter.id == "openai"
    caps = adapter.capabilities
    # `api = "auto"` (the official default) may answer through Responses, which takes
    # reasoning back; Chat Completions alone cannot.
    assert caps == msgspec.structs.replace(OPENAI_CAPABILITIES, reasoning_replay=True)
    assert caps.system_placement is SystemPlacement.INLINE
    assert not caps.requires_alternation
    assert caps.tool_call_id_max_length == 64 and caps.tool_call_id_pattern is None
    assert caps.reasoning and caps.reasoning_replay
    assert KEY not in repr(adapter)
    chat_only = OpenAIAdapter(HttpTransport(), api="chat")
    assert chat_only.capabilities == OPENAI_CAPABILITIES


@pytest.mark.parametrize(
    ("model", "reasoning"),
    [
        ("o1", True),
        ("o1-mini", True),
        ("o3", True),
        ("o3-mini-2025-01-31", True),
        ("o4-mini", True),
        ("gpt-5", True),
        ("gpt-5-mini", True),
        ("gpt-5.1", True),
        ("gpt-5-chat-latest", False),
        ("gpt-4o", False),
        ("gpt-4.1-mini", False),
        ("gpt-50", False),
        ("o10", False),
        ("omni-moderation-latest", False),
    ],
)
def test_reasoning_family_rule(model: str, reasoning: bool) -> None:
    assert is_reasoning_family(model) is reasoning
    body, _ = encode_openai_request(
        ProviderRequest(
            model=f"openai/{model}", messages=[Message(role=MessageRole.SYSTEM, content="x")]
        ),
        model,
    )
    assert body["messages"][0]["role"] == ("developer" if reasoning else "system")


def test_temperature_above_two_is_sent_as_two_with_a_warning() -> None:
    # OpenAI's temperature ranges from 0 to 2 (CreateChatCompletionRequest: maximum 2).
    body, warnings = encode_openai_request(request(temperature=2.5, top_p=0.5), "gpt-4o")
    assert body["temperature"] == 2.0
    assert body["top_p"] == 0.5
    assert [(w.code, w.details) for w in warnings] == [
        (
            "unsupported.sampling_parameters",
            {
                "parameters": ["temperature"],
                "requested": {"temperature": 2.5},
                "sent": {"temperature": 2.0},
            },
        )
    ]
    validate_request("openai", "/chat/completions", body)


def test_temperature_within_range_is_sent_unchanged() -> None:
    body, warnings = encode_openai_request(request(temperature=2.0), "gpt-4o")
    assert body["temperature"] == 2.0 and warnings == []


# --------------------------------------------------------------------------- properties

_text = st.text(max_size=12)
_ids = st.from_regex(r"call_[a-z0-9]{1,8}", fullmatch=True)
_json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)
_parts = st.one_of(
    _text.map(lambda t: TextPart(text=t)),
    st.just(ImagePart(url="https://example.com/a.png")),
    st.just(ImagePart(data="AAAA", media_type="image/png")),
    st.builds(
        ToolCall,
        id=_ids,
        name=st.sampled_from(["f", "g"]),
        arguments=st.dictionaries(_text, _json_value, max_size=3),
    ),
    st.builds(
        ToolResult,
        tool_call_id=_ids,
        content=_text | st.lists(_text.map(lambda t: TextPart(text=t)), max_size=2),
        is_error=st.booleans(),
    ),
    st.builds(ReasoningPart, text=_text, provider=st.sampled_from([None, "openai"])),
)
_messages = st.lists(
    st.builds(
        Message,
        role=st.sampled_from(list(MessageRole)),
        content=_text | st.lists(_parts, max_size=4),
    ),
    min_size=1,
    max_size=5,
)
_requests = st.builds(
    ProviderRequest,
    model=st.just("openai/gpt-4o"),
    messages=_messages,
    tools=st.lists(st.builds(ToolDefinition, name=st.sampled_from(["f", "g"])), max_size=2),
    temperature=st.none() | st.floats(0, 5),
    stop=st.lists(st.text(min_size=1, max_size=3), max_size=6),
    reasoning=st.none()
    | st.builds(
        ReasoningConfig,
        effort=st.sampled_from([None, *REASONING_EFFORTS]),
        budget_tokens=st.none() | st.integers(0, 10000),
    ),
    metadata=st.dictionaries(st.text(min_size=1, max_size=4), _text, max_size=2),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(req=_requests, model=st.sampled_from(["gpt-4o", "o3", "gpt-5-mini"]))
def test_any_request_encodes_to_a_valid_deterministic_body(
    req: ProviderRequest, model: str
) -> None:
    body, warnings = encode_openai_request(req, model)
    again, warnings_again = encode_openai_request(req, model)
    assert msgspec.json.encode(body) == msgspec.json.encode(again)
    assert warnings == warnings_again
    if not body["messages"]:  # every part was unsendable: the API will say so, we said why
        assert warnings
        return
    validate_request("openai", "/chat/completions", body)
    # nothing vanishes silently: every result is sent, every call is sent or reported
    parts = [(m.role, p) for m in req.messages for p in m.parts()]
    assistant = MessageRole.ASSISTANT
    sent = body["messages"]
    assert sum(m["role"] == "tool" for m in sent) == sum(
        isinstance(p, ToolResult) for _, p in parts
    )
    sent_calls = sum(len(m.get("tool_calls", [])) for m in sent)
    assert sent_calls == sum(isinstance(p, ToolCall) and r is assistant for r, p in parts)
    reported = [w for w in warnings if w.details.get("part_type") == "tool_call"]
    assert len(reported) == sum(isinstance(p, ToolCall) and r is not assistant for r, p in parts)
    assert all(w.code.startswith("unsupported.") for w in warnings)
