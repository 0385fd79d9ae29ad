"""``OpenAIAdapter``: the Chat Completions declaration on the generic ``HttpAdapter``.

POST {base_url}/chat/completions and GET {base_url}/models with ``Authorization: Bearer``
(https://platform.openai.com/docs/api-reference/authentication). The same class serves any
OpenAI-compatible server declared in the config: its ``quirks`` select the dialect.
"""

from __future__ import annotations

from typing import Unpack

import msgspec

from ...core.types import (
    ModelInfo,
    ProviderCapabilities,
    ProviderResponse,
    ProviderRuntimeWarning,
    SystemPlacement,
)
from ...transport.http import HttpResponse, HttpTransport
from ..http import BEARER, Call, EndpointOptions, HttpAdapter, ModelListing, ProviderDeclaration
from .decode import decode_openai_error, decode_openai_models, decode_openai_response
from .dialect import OPENAI_CACHE, OpenAIDialect
from .encode import encode_openai_request
from .quirks import OpenAICompatQuirks
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
        cache=dialect.cache,
    )


def openai_declaration(dialect: OpenAIDialect) -> ProviderDeclaration:
    """Chat Completions as spoken by an endpoint of ``dialect``."""

    def encode(call: Call) -> tuple[OpenAIChatRequest, list[ProviderRuntimeWarning]]:
        return encode_openai_request(call.request, call.model, dialect=dialect)

    return ProviderDeclaration(
        chat_path="/chat/completions",
        auth=BEARER,
        capabilities=capabilities_for(dialect),
        encode=encode,
        decode=decode_chat_completion,
        classify_error=decode_openai_error,
        models=ModelListing(path="/models", decode_page=_models_page),
    )


def decode_chat_completion(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    return decode_openai_response(
        body, provider=call.provider, request_id=request_id, requested_model=call.model
    )


def _models_page(resp: HttpResponse, provider: str) -> tuple[list[ModelInfo], str | None]:
    return decode_openai_models(resp.content, provider=provider), None  # one page


class OpenAIAdapter(HttpAdapter):
    """OpenAI Chat Completions adapter, also for OpenAI-compatible servers.

    ``quirks`` None means the official API (OpenAI's per-model rules apply); given quirks
    describe a compatible server (``provider_id`` is then its configured id). ``headers`` are
    sent over the defaults but may not set Authorization. ``store_completions`` sends
    ``store: true`` so that request ``metadata`` is accepted (OpenAI then keeps the completion).
    """

    def __init__(
        self,
        transport: HttpTransport,
        *,
        provider_id: str = "openai",
        base_url: str = DEFAULT_BASE_URL,
        quirks: OpenAICompatQuirks | None = None,
        store_completions: bool = False,
        **options: Unpack[EndpointOptions],
    ) -> None:
        if quirks is None:
            self.dialect = OpenAIDialect(
                provider=provider_id, metadata="store" if store_completions else "drop"
            )
        else:
            self.dialect = OpenAIDialect.from_quirks(quirks, provider=provider_id)
        super().__init__(
            openai_declaration(self.dialect),
            transport,
            provider_id=provider_id,
            base_url=base_url,
            **options,
        )
