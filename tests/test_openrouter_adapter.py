"""OpenRouterAdapter over mocked HTTP (respx): attribution headers, reasoning round trip, cost,
errors with upstream metadata, 200-with-error bodies, paginated priced discovery."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest
import respx

from provider_runtime.core.errors import ConfigError, ErrorKind, ProviderError
from provider_runtime.core.traits import ProviderAdapter
from provider_runtime.core.types import (
    AdapterContext,
    AssistantOutput,
    FinishReason,
    Message,
    MessageRole,
    ModelRef,
    PricingSource,
    ProviderRequest,
    ReasoningConfig,
    ReasoningPart,
    Secret,
)
from provider_runtime.providers.openrouter import (
    OPENROUTER_CAPABILITIES,
    OpenRouterAdapter,
    decode_openrouter_models,
    decode_openrouter_response,
    encode_openrouter_request,
    per_million,
)
from provider_runtime.transport.http import HttpTransport, RetryPolicy
from tests.fixture_util import fixture_cases, load_json

BASE = "https://openrouter.ai/api/v1"
KEY = "sk-or-v1-0123456789abcdef"
MODEL = "anthropic/claude-sonnet-4"


def result(**message: Any) -> dict[str, Any]:
    return {
        "id": "gen-1756789012-AbCdEf",
        "provider": "Anthropic",
        "model": MODEL,
        "object": "chat.completion",
        "created": 1756789012,
        "system_fingerprint": None,
        "choices": [
            {
                "logprobs": None,
                "finish_reason": "stop",
                "native_finish_reason": "end_turn",
                "index": 0,
                "message": {"role": "assistant", "content": "Paris.", **message},
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 4, "total_tokens": 24, "cost": 0.00012},
    }


def context(key: str | None = KEY) -> AdapterContext:
    return AdapterContext(
        model=ModelRef(provider="openrouter", id=MODEL),
        credential=Secret(key) if key else None,
    )


def request(**kwargs: Any) -> ProviderRequest:
    kwargs.setdefault("messages", [Message(role=MessageRole.USER, content="Capital of France?")])
    return ProviderRequest(model=f"openrouter/{MODEL}", **kwargs)


def make(**kwargs: Any) -> OpenRouterAdapter:
    kwargs.setdefault("retry", RetryPolicy(max_retries=0))
    return OpenRouterAdapter(HttpTransport(client=httpx.AsyncClient()), **kwargs)


async def test_run_sends_auth_attribution_and_reasoning() -> None:
    adapter = make(http_referer="https://github.com/acme/editor", app_title="Acme Editor")
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{BASE}/chat/completions").respond(
            200, json=result(), headers={"cf-ray": "97f1a2b3c4d5e6f7-FRA"}
        )
        response = await adapter.run(request(reasoning=ReasoningConfig(effort="low")), context())

    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["http-referer"] == "https://github.com/acme/editor"
    assert sent.headers["x-title"] == "Acme Editor"
    assert json.loads(sent.content) == {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Capital of France?"}],
        "reasoning": {"effort": "low"},
    }
    assert response.output.text == "Paris."
    assert response.finish_reason is FinishReason.STOP
    assert response.finish_reason_raw == "end_turn"
    assert response.cost is not None
    assert response.cost.total == Decimal("0.00012")
    assert response.cost.source is PricingSource.PROVIDER_REPORTED
    assert response.request_id == "gen-1756789012-AbCdEf"  # the generation id, not cf-ray


async def test_attribution_headers_are_optional_and_auth_is_protected() -> None:
    adapter = make(headers={"X-Custom": "1"})
    with respx.mock() as mock:
        route = mock.post(f"{BASE}/chat/completions").respond(200, json=result())
        await adapter.run(request(), context(key=None))
    sent = route.calls.last.request
    assert "http-referer" not in sent.headers and "x-title" not in sent.headers
    assert "authorization" not in sent.headers
    assert sent.headers["x-custom"] == "1"
    with pytest.raises(ConfigError):
        make(headers={"Authorization": "Bearer other"})


async def test_reasoning_details_round_trip_exactly() -> None:
    """What OpenRouter returned is what goes back on the next turn, entry for entry."""
    claude, openai = "anthropic-claude-v1", "openai-responses-v1"
    details = [
        {"type": "reasoning.text", "text": "T.", "signature": "c2ln", "format": claude, "index": 0},
        {"type": "reasoning.encrypted", "data": "ZW5j", "format": claude, "index": 1},
        {"type": "reasoning.summary", "summary": "S.", "id": "rs_1", "format": openai, "index": 2},
    ]
    body = json.dumps(result(reasoning="T.", reasoning_details=details)).encode()
    response = decode_openrouter_response(body, provider="openrouter", requested_model=MODEL)
    reasoning = [p for p in response.output.content if isinstance(p, ReasoningPart)]
    assert [(p.provider, p.model, p.redacted) for p in reasoning] == [
        ("openrouter", MODEL, False),
        ("openrouter", MODEL, True),
        ("openrouter", MODEL, False),
    ]
    follow_up = request(
        messages=[
            Message(role=MessageRole.USER, content="Capital of France?"),
            Message(role=MessageRole.ASSISTANT, content=list(response.output.content)),
            Message(role=MessageRole.USER, content="And of Italy?"),
        ]
    )
    native, warnings = encode_openrouter_request(follow_up, MODEL)
    assert warnings == []
    assert native["messages"][1] == {
        "role": "assistant",
        "content": "Paris.",
        "reasoning_details": details,
    }


def test_reasoning_of_another_model_is_not_replayed() -> None:
    part = ReasoningPart(text="t", signature="s", provider="openrouter", model="openai/o3")
    follow_up = request(
        messages=[
            Message(role=MessageRole.USER, content="q"),
            Message(role=MessageRole.ASSISTANT, content=[part]),
            Message(role=MessageRole.USER, content="q2"),
        ]
    )
    native, warnings = encode_openrouter_request(follow_up, MODEL)
    assert native["messages"][1:] == [{"role": "user", "content": "q2"}]
    assert [w.code for w in warnings] == ["unsupported.reasoning_history"]


@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [
        (400, {"code": 400, "message": "Invalid request parameters"}, ErrorKind.INVALID_REQUEST),
        (401, {"code": 401, "message": "User not found."}, ErrorKind.AUTHENTICATION),
        (402, {"code": 402, "message": "Insufficient credits"}, ErrorKind.PAYMENT_REQUIRED),
        (404, {"code": 404, "message": "No endpoints found"}, ErrorKind.NOT_FOUND),
        (408, {"code": 408, "message": "Operation timed out"}, ErrorKind.TIMEOUT),
        (413, {"code": 413, "message": "Request payload too large"}, ErrorKind.REQUEST_TOO_LARGE),
        (429, {"code": 429, "message": "Rate limit exceeded"}, ErrorKind.RATE_LIMITED),
        (502, {"code": 502, "message": "Provider returned error"}, ErrorKind.SERVER),
        (503, {"code": 503, "message": "No available provider"}, ErrorKind.SERVER),
        (524, {"code": 524, "message": "Request timed out"}, ErrorKind.TIMEOUT),
        (529, {"code": 529, "message": "Provider returned error"}, ErrorKind.OVERLOADED),
    ],
)
async def test_status_codes_map_to_kinds(
    status: int, error: dict[str, Any], kind: ErrorKind
) -> None:
    adapter = make()
    with respx.mock() as mock:
        mock.post(f"{BASE}/chat/completions").respond(
            status, json={"error": error}, headers={"x-request-id": "req-or-1"}
        )
        with pytest.raises(ProviderError) as info:
            await adapter.run(request(), context())
    assert info.value.kind is kind
    assert info.value.status == status
    assert info.value.provider_code == str(error["code"])
    assert info.value.request_id == "req-or-1"
    assert KEY not in str(info.value)


async def test_upstream_rate_limit_uses_metadata_retry_after_when_no_header() -> None:
    adapter = make()
    body = {
        "error": {
            "code": 429,
            "message": "Provider returned error",
            "metadata": {
                "raw": "busy upstream",
                "provider_name": "Venice",
                "retry_after_seconds": 17,
            },
        }
    }
    with respx.mock() as mock:
        mock.post(f"{BASE}/chat/completions").respond(429, json=body)
        with pytest.raises(ProviderError) as info:
            await adapter.run(request(), context())
    assert info.value.retry_after == 17.0
    assert info.value.message == "Provider returned error (Venice: busy upstream)"


@pytest.mark.parametrize(
    ("body", "kind", "status"),
    [
        (
            {"error": {"code": 402, "message": "Insufficient credits"}},
            ErrorKind.PAYMENT_REQUIRED,
            402,
        ),
        ({"error": {"code": "server_error", "message": "boom"}}, ErrorKind.SERVER, 502),
    ],
)
async def test_success_status_with_only_an_error_body_raises(
    body: dict[str, Any], kind: ErrorKind, status: int
) -> None:
    adapter = make()
    with respx.mock() as mock:
        mock.post(f"{BASE}/chat/completions").respond(200, json=body)
        with pytest.raises(ProviderError) as info:
            await adapter.run(request(), context())
    assert info.value.kind is kind
    assert info.value.status == status


def _model(id_: str, prompt: str) -> dict[str, Any]:
    return {
        "id": id_,
        "name": id_,
        "context_length": 1000,
        "pricing": {"prompt": prompt, "completion": prompt},
        "architecture": {"modality": "text->text", "input_modalities": ["text"]},
        "top_provider": {
            "context_length": 1000,
            "max_completion_tokens": 100,
            "is_moderated": False,
        },
        "supported_parameters": ["tools"],
    }


async def test_discovery_follows_pagination_links() -> None:
    adapter = make()
    page1 = {"data": [_model("z/last", "0.000001")], "links": {"next": "/api/v1/models?offset=1"}}
    page2 = {"data": [_model("a/first", "0.0000005")], "links": {"next": None}}
    with respx.mock(assert_all_called=True) as mock:
        second = mock.get(f"{BASE}/models", params={"offset": "1"}).respond(200, json=page2)
        first = mock.get(f"{BASE}/models").respond(200, json=page1)
        models = await adapter.discover_models(Secret(KEY))
    assert first.call_count == 1 and second.call_count == 1
    assert second.calls.last.request.headers["authorization"] == f"Bearer {KEY}"
    assert [m.id for m in models] == ["a/first", "z/last"]
    assert [m.pricing.input if m.pricing else None for m in models] == [
        Decimal("0.5"),
        Decimal("1"),
    ]
    assert all(m.source == "remote" and m.capabilities.tools for m in models)


async def test_discovery_stops_after_the_page_limit() -> None:
    adapter = make(max_model_pages=2)
    loop = {"data": [_model("x/y", "0")], "links": {"next": "/api/v1/models"}}
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/models").respond(200, json=loop)
        models = await adapter.discover_models(None)
    assert route.call_count == 2
    assert [m.id for m in models] == ["x/y"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.000003", "3"),
        ("0.0000003", "0.3"),
        ("0.00000375", "3.75"),
        ("0.00000125", "1.25"),
        ("0.00006", "60"),
        ("0", "0"),
        ("0.0000000001", "0.0001"),
        ("-1", None),
        ("not a number", None),
        (None, None),
    ],
)
def test_per_token_prices_become_exact_per_million(value: str | None, expected: str | None) -> None:
    price = per_million(value)
    assert (str(price) if price is not None else None) == expected


def test_capabilities_and_protocol() -> None:
    adapter = make()
    assert isinstance(adapter, ProviderAdapter)
    assert adapter.id == "openrouter"
    assert adapter.capabilities == OPENROUTER_CAPABILITIES
    assert adapter.capabilities.reasoning_replay
    assert adapter.capabilities.tool_call_id_max_length == 64
    assert "sk-or" not in repr(adapter)


def test_fixture_reasoning_survives_a_canonical_json_round_trip() -> None:
    """Decoded reasoning stays replayable after crossing the daemon's JSON wire."""
    for case in fixture_cases("openrouter"):
        if not (case / "native_response.json").exists():
            continue
        native = load_json(case / "native_response.json")
        details = native["choices"][0]["message"].get("reasoning_details")
        if not details:
            continue
        response = decode_openrouter_response(
            json.dumps(native).encode(), requested_model=native["model"]
        )
        wire = msgspec.json.encode(response.output)
        output = msgspec.json.decode(wire, type=AssistantOutput)
        follow_up = request(messages=[Message(role=MessageRole.ASSISTANT, content=output.content)])
        body, _ = encode_openrouter_request(follow_up, native["model"])
        assert body["messages"][0]["reasoning_details"] == details, case.name


def test_only_prompt_size_overrides_become_price_tiers() -> None:
    entry = _model("g/pro", "0.000001")
    entry["pricing"]["overrides"] = [
        {"min_prompt_tokens": 200000, "prompt": "0.000002"},
        {"min_prompt_tokens": 100000, "utc_start": 0, "prompt": "0.0000005"},  # from 00:00
        {"utc_start": 100, "utc_end": 400, "prompt": "0.0000005"},
    ]
    (model,) = decode_openrouter_models(json.dumps({"data": [entry]}).encode())
    assert model.pricing is not None
    assert [(t.above_input_tokens, t.input) for t in model.pricing.tiers] == [
        (200000, Decimal("2"))
    ]


async def test_discovery_never_sends_the_key_to_another_origin() -> None:
    with respx.mock(assert_all_called=False) as mock:
        mock.get("https://openrouter.ai/api/v1/models").respond(
            200, json={"data": [], "links": {"next": "https://collector.example/steal"}}
        )
        stolen = mock.get("https://collector.example/steal").respond(200, json={"data": []})
        adapter = OpenRouterAdapter(HttpTransport(client=httpx.AsyncClient()))
        with pytest.raises(ProviderError) as info:
            await adapter.discover_models(Secret("sk-or-v1-SECRETKEY"))
    assert info.value.kind == ErrorKind.PROTOCOL and "another origin" in info.value.message
    assert stolen.call_count == 0
