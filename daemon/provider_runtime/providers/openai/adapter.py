"""``OpenAIAdapter``: Chat Completions and Responses declarations on the generic ``HttpAdapter``.

POST {base_url}/chat/completions or {base_url}/responses (per model, by the ``api`` setting:
``api.py``) and GET {base_url}/models with ``Authorization: Bearer``
(https://platform.openai.com/docs/api-reference/authentication); the official API also counts
prompts with POST {base_url}/responses/input_tokens (``count.py``). Rate limits: ``x-ratelimit-*``
headers (https://platform.openai.com/docs/guides/rate-limits). The same class serves any
OpenAI-compatible server declared in the config: its ``quirks`` select the dialect.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Unpack

import msgspec

from ...core.types import (
    AdapterContext,
    ModelInfo,
    ProviderCapabilities,
    ProviderResponse,
    ProviderRuntimeWarning,
    SystemPlacement,
)
from ...transport.http import HttpResponse, HttpTransport
from ..http import (
    BEARER,
    Call,
    EndpointOptions,
    HttpAdapter,
    ModelListing,
    ProviderDeclaration,
    TokenCounting,
)
from ..ratelimit import parse_openai_rate_limit
from .api import Api, ApiSetting, choose_api
from .count import COUNT_PATH, encode_input_tokens_body, responses_count_body
from .decode import decode_openai_error, decode_openai_models, decode_openai_response
from .dialect import OPENAI_CACHE, OpenAIDialect
from .encode import encode_openai_request
from .quirks import OpenAICompatQuirks
from .responses.adapter import responses_declaration
from .responses.encode import encode_responses_request
from .wire import OpenAIChatRequest

__all__ = [
    "DEFAULT_BASE_URL",
    "OPENAI_CAPABILITIES",
    "OpenAIAdapter",
    "capabilities_for",
    "decode_chat_completion",
    "openai_declaration",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

OPENAI_CAPABILITIES = ProviderCapabilities(
    tools=True,
    vision=True,
    json_mode=True,
    json_schema=True,
    reasoning=True,
    reasoning_replay=False,  # Chat Completions cannot take reasoning back
    system_placement=SystemPlacement.INLINE,
    requires_alternation=False,
    tool_call_id_pattern=None,
    tool_call_id_max_length=64,  # OpenAI rejects longer tool call ids
    remote_discovery=True,
    cache=OPENAI_CACHE,
)


def capabilities_for(dialect: OpenAIDialect) -> ProviderCapabilities:
    """What an endpoint of this dialect can express (handoff and the runtime adapt to it)."""
    return msgspec.structs.replace(
        OPENAI_CAPABILITIES,
        tools=dialect.supports_tools,
        vision=dialect.supports_vision,
        json_mode=dialect.supports_json_mode,
        json_schema=dialect.supports_json_schema,
        reasoning=dialect.supports_reasoning,
        reasoning_models=dialect.reasoning_model_pattern,
        cache=dialect.cache,
        tool_call_id_pattern=dialect.tool_call_id_pattern,
        tool_call_id_max_length=dialect.tool_call_id_max_length,
        reasoning_replay=dialect.reasoning_content_replay != "none",
    )


def openai_declaration(dialect: OpenAIDialect) -> ProviderDeclaration:
    """Chat Completions as spoken by an endpoint of ``dialect``."""

    def encode(call: Call) -> tuple[OpenAIChatRequest, list[ProviderRuntimeWarning]]:
        return encode_openai_request(call.request, call.model, dialect=dialect)

    def encode_count(call: Call) -> tuple[dict[str, Any], list[ProviderRuntimeWarning]]:
        body, warnings = encode(call)
        return encode_input_tokens_body(dict(body)), warnings

    # Only OpenAI itself has the counting endpoint; a compatible server's prompt is estimated.
    counting = (
        TokenCounting(path=COUNT_PATH, encode=encode_count, exact=True)
        if dialect.official
        else None
    )
    return ProviderDeclaration(
        chat_path="/chat/completions",
        auth=BEARER,
        capabilities=capabilities_for(dialect),
        encode=encode,
        decode=decode_chat_completion,
        classify_error=decode_openai_error,
        models=ModelListing(path="/models", decode_page=_models_page),
        counting=counting,
        # Several compatible servers (Groq, Together, vLLM behind gateways) send the same names.
        rate_limit=parse_openai_rate_limit,
    )


def _encode_responses_count(call: Call) -> tuple[dict[str, Any], list[ProviderRuntimeWarning]]:
    """A call that goes to /responses is counted from the very body /responses would get."""
    body, warnings = encode_responses_request(
        call.request, call.model, provider=call.provider, info=call.model_info
    )
    return responses_count_body(dict(body)), warnings


def with_responses_counting(declaration: ProviderDeclaration) -> ProviderDeclaration:
    """The Responses declaration of the official API, counting and reading rate limits."""
    counting = TokenCounting(path=COUNT_PATH, encode=_encode_responses_count, exact=True)
    return replace(declaration, counting=counting, rate_limit=parse_openai_rate_limit)


def decode_chat_completion(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    return decode_openai_response(
        body, provider=call.provider, request_id=request_id, requested_model=call.model
    )


def _models_page(resp: HttpResponse, provider: str) -> tuple[list[ModelInfo], str | None]:
    return decode_openai_models(resp.content, provider=provider), None  # one page


class OpenAIAdapter(HttpAdapter):
    """OpenAI adapter (Chat Completions and Responses), also for OpenAI-compatible servers.

    ``quirks`` None means the official API (OpenAI's per-model rules apply); given quirks
    describe a compatible server (``provider_id`` is then its configured id). ``api`` picks
    the API per model (``api.py``; default ``auto`` for the official API, ``chat`` for a
    compatible server). ``headers`` are sent over the defaults but may not set Authorization.
    ``store_completions`` sends ``store: true`` with Chat Completions so that request
    ``metadata`` is accepted (OpenAI then keeps the completion); Responses never stores.
    """

    def __init__(
        self,
        transport: HttpTransport,
        *,
        provider_id: str = "openai",
        base_url: str = DEFAULT_BASE_URL,
        quirks: OpenAICompatQuirks | None = None,
        store_completions: bool = False,
        api: ApiSetting | None = None,
        **options: Unpack[EndpointOptions],
    ) -> None:
        if quirks is None:
            self.dialect = OpenAIDialect(
                provider=provider_id, metadata="store" if store_completions else "drop"
            )
        else:
            self.dialect = OpenAIDialect.from_quirks(quirks, provider=provider_id)
        self.api: ApiSetting = api or ("auto" if quirks is None else "chat")
        chat = openai_declaration(self.dialect)
        if self.api != "chat":  # Responses takes reasoning back: handoff keeps it for us
            chat = replace(
                chat, capabilities=msgspec.structs.replace(chat.capabilities, reasoning_replay=True)
            )
        self._responses = responses_declaration(chat.capabilities, models=chat.models)
        if chat.counting is not None:
            self._responses = with_responses_counting(self._responses)
        super().__init__(chat, transport, provider_id=provider_id, base_url=base_url, **options)

    def api_for(self, context: AdapterContext) -> Api:
        """The API a call with ``context`` uses (``ApiChooser``; ``runtime/models`` shows it)."""
        return choose_api(self.api, context.model_info)

    def declaration_for(self, context: AdapterContext) -> ProviderDeclaration:
        if self.api_for(context) == "responses":
            return self._responses
        return super().declaration_for(context)
