"""The generic HTTP adapter: a provider is a declaration; errors are classified once."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from provider_runtime.core.errors import ErrorKind, ProviderError
from provider_runtime.core.tokens import estimate_request_tokens
from provider_runtime.core.types import (
    AdapterContext,
    AssistantOutput,
    FinishReason,
    Message,
    MessageRole,
    ModelInfo,
    ModelRef,
    ProviderCapabilities,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
    Secret,
    TextPart,
)
from provider_runtime.providers.http import (
    X_GOOG_API_KEY,
    Auth,
    Call,
    HttpAdapter,
    ModelListing,
    PreparedRequest,
    ProviderDeclaration,
    TokenCounting,
)
from provider_runtime.providers.ratelimit import parse_openai_rate_limit
from provider_runtime.transport.http import HttpResponse, HttpTransport, RetryPolicy

BASE = "https://toy.test/api"


async def _no_sleep(_: float) -> None:
    return None


def _transport(handler: httpx.MockTransport) -> HttpTransport:
    return HttpTransport(client=httpx.AsyncClient(transport=handler), sleep=_no_sleep)


class Counting:
    """An error classifier that counts its calls and remembers what it made."""

    def __init__(self, kind: ErrorKind, retryable: bool | None = None) -> None:
        self.kind, self.retryable = kind, retryable
        self.made: list[ProviderError] = []

    def __call__(self, resp: HttpResponse) -> ProviderError:
        error = ProviderError(
            self.kind, f"HTTP {resp.status}", status=resp.status, retryable=self.retryable
        )
        self.made.append(error)
        return error


async def test_the_transport_raises_the_classifiers_error_and_classifies_each_answer_once() -> None:
    answers = iter([503, 503, 503])
    transport = _transport(httpx.MockTransport(lambda r: httpx.Response(next(answers))))
    classify = Counting(ErrorKind.SERVER)
    with pytest.raises(ProviderError) as raised:
        await transport.request(
            "GET", BASE, provider="toy", retry=RetryPolicy(max_retries=2), classify=classify
        )
    assert len(classify.made) == 3  # one per answer, never twice for the same body
    assert raised.value is classify.made[-1]


async def test_a_classifier_saying_not_retryable_stops_the_retries() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(429, json={"error": "quota exhausted"})

    classify = Counting(ErrorKind.PAYMENT_REQUIRED, retryable=False)
    with pytest.raises(ProviderError) as raised:
        await _transport(httpx.MockTransport(handler)).request(
            "GET", BASE, provider="toy", retry=RetryPolicy(max_retries=3), classify=classify
        )
    assert len(calls) == 1 and len(classify.made) == 1
    assert raised.value is classify.made[0]


def _toy_error(
    status: int,
    body: bytes,
    *,
    provider: str,
    request_id: str | None,
    retry_after: float | None,
    headers: Mapping[str, str] | None = None,  # not read: the body says it all
) -> ProviderError:
    return ProviderError(ErrorKind.INVALID_REQUEST, body.decode(), provider=provider, status=status)


def _toy_encode(call: Call) -> tuple[dict[str, object], list[ProviderRuntimeWarning]]:
    content = call.request.messages[-1].content
    return {"model": call.model, "prompt": content}, []


def _toy_decode(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    answer = json.loads(body)["answer"]
    return ProviderResponse(
        provider=call.provider,
        model=call.model,
        output=AssistantOutput(content=[TextPart(text=answer)]),
        finish_reason=FinishReason.STOP,
        request_id=request_id,
    )


def _toy_page(resp: HttpResponse, provider: str) -> tuple[list[ModelInfo], str | None]:
    page = json.loads(resp.content)
    models = [ModelInfo(provider=provider, id=m, source="remote") for m in page["models"]]
    return models, page.get("next")


TOY = ProviderDeclaration(
    chat_path="/generate",
    auth=X_GOOG_API_KEY,
    capabilities=ProviderCapabilities(tools=False),
    encode=_toy_encode,
    decode=_toy_decode,
    classify_error=_toy_error,
    models=ModelListing(path="/models", decode_page=_toy_page, sort=True),
)


async def test_a_provider_declared_as_data_runs_and_lists_models() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/generate"):
            return httpx.Response(200, json={"answer": "hi back"}, headers={"x-request-id": "r1"})
        if "page=2" in str(request.url):
            return httpx.Response(200, json={"models": ["a-1"]})
        return httpx.Response(200, json={"models": ["z-9"], "next": f"{BASE}/models?page=2"})

    adapter = HttpAdapter(
        TOY, _transport(httpx.MockTransport(handler)), provider_id="toy", base_url=BASE
    )
    request = ProviderRequest(
        model="toy/m", messages=[Message(role=MessageRole.USER, content="hi")]
    )
    context = AdapterContext(model=ModelRef(provider="toy", id="m"), credential=Secret("k-1"))
    response = await adapter.run(request, context)
    assert (response.output.text, response.request_id) == ("hi back", "r1")
    assert seen[0].headers["x-goog-api-key"] == "k-1"
    assert json.loads(seen[0].content) == {"model": "m", "prompt": "hi"}
    models = await adapter.discover_models(Secret("k-1"))
    assert [m.id for m in models] == ["a-1", "z-9"]
    assert repr(adapter) == f"HttpAdapter(id='toy', base_url='{BASE}')"
    assert not adapter.capabilities.tools


async def test_a_declared_providers_error_is_its_classifiers() -> None:
    handler = httpx.MockTransport(lambda r: httpx.Response(400, content=b"bad prompt"))
    adapter = HttpAdapter(TOY, _transport(handler), provider_id="toy", base_url=BASE)
    request = ProviderRequest(model="toy/m", messages=[Message(role=MessageRole.USER, content="x")])
    with pytest.raises(ProviderError) as raised:
        await adapter.run(request, AdapterContext(model=ModelRef(provider="toy", id="m")))
    assert (raised.value.kind, raised.value.status) == (ErrorKind.INVALID_REQUEST, 400)
    assert raised.value.message.startswith("bad prompt")


async def test_a_signer_signs_the_prepared_request_when_no_key_is_configured() -> None:
    """The signing hook sees the request as it is sent (URL from a per-call path, encoded body,
    headers); a configured key still travels in the scheme's header and nothing is signed."""
    signed: list[PreparedRequest] = []

    async def signer(request: PreparedRequest) -> dict[str, str]:
        signed.append(request)
        return {"x-signature": f"sig-{len(request.body or b'')}"}

    declaration = dataclasses.replace(
        TOY, chat_path=lambda call: f"/m/{call.model}/go", auth=Auth("x-key", signer=signer)
    )
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"answer": "ok"})

    adapter = HttpAdapter(
        declaration, _transport(httpx.MockTransport(handler)), provider_id="toy", base_url=BASE
    )
    request = ProviderRequest(
        model="toy/m", messages=[Message(role=MessageRole.USER, content="hi")]
    )
    await adapter.run(request, AdapterContext(model=ModelRef(provider="toy", id="m")))
    [prepared] = signed
    assert (prepared.method, prepared.url) == ("POST", f"{BASE}/m/m/go")
    assert (
        prepared.body == seen[0].content and prepared.headers["content-type"] == "application/json"
    )
    assert seen[0].headers["x-signature"] == f"sig-{len(seen[0].content)}"
    assert "x-key" not in seen[0].headers

    keyed = AdapterContext(model=ModelRef(provider="toy", id="m"), credential=Secret("k-2"))
    await adapter.run(request, keyed)
    assert len(signed) == 1  # a key: the header scheme, no signature
    assert seen[1].headers["x-key"] == "k-2" and "x-signature" not in seen[1].headers


def _toy_count(call: Call) -> tuple[Any, list[ProviderRuntimeWarning]]:
    return {"model": call.model, "text": call.request.messages[-1].content}, []


COUNTING_TOY = dataclasses.replace(
    TOY,
    counting=TokenCounting(
        path=lambda call: f"/m/{call.model}/count", encode=_toy_count, exact=False
    ),
    rate_limit=parse_openai_rate_limit,
)


async def test_a_declared_counting_endpoint_needs_no_code() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"input_tokens": 5}, headers={"x-ratelimit-remaining-requests": "3"}
        )

    adapter = HttpAdapter(
        COUNTING_TOY, _transport(httpx.MockTransport(handler)), provider_id="toy", base_url=BASE
    )
    request = ProviderRequest(
        model="toy/t1", messages=[Message(role=MessageRole.USER, content="hi")]
    )
    context = AdapterContext(model=ModelRef(provider="toy", id="t1"), credential=Secret("k" * 12))
    assert (
        adapter.counts_tokens
        and not HttpAdapter(TOY, HttpTransport(), provider_id="toy", base_url=BASE).counts_tokens
    )
    counted = await adapter.count_tokens(request, context)
    assert (counted.input_tokens, counted.exact, counted.source) == (5, False, "provider")
    assert seen[0].url == f"{BASE}/m/t1/count"  # a per-model path, as Bedrock's and Gemini's
    assert json.loads(seen[0].content) == {"model": "t1", "text": "hi"}


async def test_a_model_whose_api_has_no_counting_endpoint_is_estimated() -> None:
    class PerModel(HttpAdapter):
        def declaration_for(self, context: AdapterContext) -> ProviderDeclaration:
            return TOY if context.model.id == "plain" else COUNTING_TOY

    adapter = PerModel(COUNTING_TOY, HttpTransport(), provider_id="toy", base_url=BASE)
    assert adapter.counts_tokens
    request = ProviderRequest(
        model="toy/plain", messages=[Message(role=MessageRole.USER, content="hi")]
    )
    context = AdapterContext(model=ModelRef(provider="toy", id="plain"))
    counted = await adapter.count_tokens(request, context)  # nothing is sent
    assert (counted.source, counted.exact) == ("estimate", False)
    assert counted.input_tokens == estimate_request_tokens(request)
