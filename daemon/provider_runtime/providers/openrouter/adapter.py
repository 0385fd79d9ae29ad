"""``OpenRouterAdapter``: OpenRouter's chat completions declared on the generic ``HttpAdapter``.

POST {base_url}/chat/completions and GET {base_url}/models with ``Authorization: Bearer`` and the
optional app attribution headers ``HTTP-Referer``/``X-Title``
(https://openrouter.ai/docs/api-reference/overview#headers). No counting endpoint (prompts are
estimated); rate-limit headers only on its own 429s (https://openrouter.ai/docs/api-reference/limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

import httpx

from ...core.types import (
    CacheSupport,
    ModelInfo,
    ProviderCapabilities,
    ProviderResponse,
    ProviderRuntimeWarning,
    SystemPlacement,
)
from ...transport.http import HttpResponse, HttpTransport
from ..http import BEARER, Call, EndpointOptions, HttpAdapter, ModelListing, ProviderDeclaration
from ..openai.wire import OpenAIChatRequest
from ..ratelimit import parse_openrouter_rate_limit
from .decode import (
    decode_openrouter_error,
    decode_openrouter_models_page,
    decode_openrouter_response,
)
from .encode import encode_openrouter_request

__all__ = [
    "DEFAULT_BASE_URL",
    "OPENROUTER_CAPABILITIES",
    "OpenRouterAdapter",
    "openrouter_declaration",
]

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"

OPENROUTER_CAPABILITIES = ProviderCapabilities(
    tools=True,
    vision=True,
    json_mode=True,
    json_schema=True,
    reasoning=True,
    reasoning_replay=True,  # reasoning_details go back on assistant messages
    system_placement=SystemPlacement.INLINE,
    requires_alternation=False,
    tool_call_id_pattern=None,
    tool_call_id_max_length=64,
    remote_discovery=True,
    # https://openrouter.ai/docs/guides/best-practices/prompt-caching: Anthropic-style
    # `cache_control` on text parts and tools (converted per upstream; at most 4 for Anthropic,
    # whose order rule applies), `prompt_cache_key` passed on.
    cache=(CacheSupport(breakpoints=4, ttls=("5m", "1h"), cache_key=True, longer_ttl_first=True),),
)


def _encode(call: Call) -> tuple[OpenAIChatRequest, list[ProviderRuntimeWarning]]:
    return encode_openrouter_request(call.request, call.model, provider=call.provider)


def _decode(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    return decode_openrouter_response(
        body, provider=call.provider, request_id=request_id, requested_model=call.model
    )


def _models_page(resp: HttpResponse, provider: str) -> tuple[list[ModelInfo], str | None]:
    page, following = decode_openrouter_models_page(resp.content, provider=provider)
    return page, str(httpx.URL(resp.url).join(following)) if following else None


def openrouter_declaration(
    *, attribution: Mapping[str, str] | None = None, max_model_pages: int = 10
) -> ProviderDeclaration:
    return ProviderDeclaration(
        chat_path="/chat/completions",
        auth=BEARER,
        capabilities=OPENROUTER_CAPABILITIES,
        encode=_encode,
        decode=_decode,
        classify_error=decode_openrouter_error,
        models=ModelListing(
            path="/models", decode_page=_models_page, max_pages=max_model_pages, sort=True
        ),
        headers=dict(attribution or {}),
        rate_limit=parse_openrouter_rate_limit,
    )


class OpenRouterAdapter(HttpAdapter):
    """OpenRouter adapter. Model ids are OpenRouter slugs (``openrouter/anthropic/claude-...``).

    ``http_referer``/``app_title`` identify the app on openrouter.ai. ``headers`` are sent over
    the defaults but may not set Authorization. Discovery follows at most ``max_model_pages``.
    """

    def __init__(
        self,
        transport: HttpTransport,
        *,
        provider_id: str = "openrouter",
        base_url: str = DEFAULT_BASE_URL,
        http_referer: str | None = None,
        app_title: str | None = None,
        max_model_pages: int = 10,
        **options: Unpack[EndpointOptions],
    ) -> None:
        attribution = {"HTTP-Referer": http_referer, "X-Title": app_title}
        declaration = openrouter_declaration(
            attribution={k: v for k, v in attribution.items() if v},
            max_model_pages=max_model_pages,
        )
        super().__init__(
            declaration,
            transport,
            provider_id=provider_id,
            base_url=base_url,
            **options,
        )
