"""``AnthropicAdapter``: the Messages API declared on the generic ``HttpAdapter``.

POST {base_url}/v1/messages, POST {base_url}/v1/messages/count_tokens and GET
{base_url}/v1/models, authenticated with ``x-api-key`` and pinned to an ``anthropic-version``
(https://docs.claude.com/en/api/versioning). Rate limits: ``anthropic-ratelimit-*`` headers
(https://docs.claude.com/en/api/rate-limits#response-headers).
"""

from __future__ import annotations

from typing import Any, Unpack
from urllib.parse import urlencode

from ...core.types import (
    CacheSupport,
    ModelInfo,
    ProviderCapabilities,
    ProviderResponse,
    ProviderRuntimeWarning,
    SystemPlacement,
)
from ...transport.http import HttpResponse, HttpTransport
from ..errors import advise_anthropic_base_url
from ..http import (
    X_API_KEY,
    Call,
    EndpointOptions,
    HttpAdapter,
    ModelListing,
    ProviderDeclaration,
    TokenCounting,
)
from ..ratelimit import parse_anthropic_rate_limit
from .decode import decode_anthropic_error, decode_anthropic_models_page, decode_anthropic_response
from .encode import DEFAULT_MAX_TOKENS, JSON_TOOL_NAME, encode_anthropic_request, uses_json_tool
from .wire import AnthropicMessagesRequest

__all__ = [
    "ANTHROPIC_CAPABILITIES",
    "COUNT_FIELDS",
    "DEFAULT_BASE_URL",
    "DEFAULT_VERSION",
    "AnthropicAdapter",
    "anthropic_declaration",
    "encode_count_tokens_body",
]

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_VERSION = "2023-06-01"
_MODELS_PAGE_SIZE = 1000  # the API's maximum `limit`
# What POST /v1/messages/count_tokens accepts (its CountMessageTokensParams, which forbids other
# fields): the Messages body less max_tokens, temperature, top_p, top_k, stop_sequences,
# metadata, stream and service_tier, which do not change the prompt.
COUNT_FIELDS = frozenset(
    {"model", "messages", "system", "tools", "tool_choice", "thinking"}
    | {"cache_control", "output_config"}  # 2026-05 additions, passed on when encoded
)

ANTHROPIC_CAPABILITIES = ProviderCapabilities(
    tools=True,
    vision=True,
    json_mode=False,
    json_schema=True,  # emulated with a forced tool (see encode.JSON_TOOL_NAME)
    reasoning=True,
    reasoning_replay=True,
    system_placement=SystemPlacement.TOP_LEVEL,
    requires_alternation=True,
    tool_call_id_pattern="^[a-zA-Z0-9_-]+$",
    tool_call_id_max_length=None,
    remote_discovery=True,
    # https://platform.claude.com/docs/en/build-with-claude/prompt-caching: up to 4
    # breakpoints, 5m or 1h, a 1h entry before any 5m one; no breakpoint means no caching.
    cache=(
        CacheSupport(breakpoints=4, ttls=("5m", "1h"), retention=("none",), longer_ttl_first=True),
    ),
)


def _decode(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    return decode_anthropic_response(
        body,
        provider=call.provider,
        request_id=request_id,
        model=call.model,
        json_tool=JSON_TOOL_NAME if uses_json_tool(call.request) else None,
    )


def encode_count_tokens_body(body: AnthropicMessagesRequest) -> dict[str, Any]:
    """The count_tokens body for a Messages body: the same prompt, without the fields the
    counting endpoint refuses."""
    return {key: value for key, value in body.items() if key in COUNT_FIELDS}


def _models_path(after: str | None = None) -> str:
    query = {"limit": str(_MODELS_PAGE_SIZE)}
    if after is not None:
        query["after_id"] = after
    return f"/v1/models?{urlencode(query)}"


def _models_page(resp: HttpResponse, provider: str) -> tuple[list[ModelInfo], str | None]:
    page, after = decode_anthropic_models_page(resp.content, provider=provider)
    return page, _models_path(after) if after is not None else None


def anthropic_declaration(
    *,
    anthropic_version: str = DEFAULT_VERSION,
    default_max_tokens: int = DEFAULT_MAX_TOKENS,
    max_model_pages: int = 10,
) -> ProviderDeclaration:
    def encode(call: Call) -> tuple[AnthropicMessagesRequest, list[ProviderRuntimeWarning]]:
        return encode_anthropic_request(
            call.request,
            call.model,
            provider=call.provider,
            model_info=call.model_info,
            default_max_tokens=default_max_tokens,
        )

    def encode_count(call: Call) -> tuple[dict[str, Any], list[ProviderRuntimeWarning]]:
        body, warnings = encode(call)
        return encode_count_tokens_body(body), warnings

    return ProviderDeclaration(
        chat_path="/v1/messages",
        auth=X_API_KEY,
        capabilities=ANTHROPIC_CAPABILITIES,
        encode=encode,
        decode=_decode,
        classify_error=decode_anthropic_error,
        # "The token count is an estimate" (docs, token counting): not exact.
        counting=TokenCounting(path="/v1/messages/count_tokens", encode=encode_count, exact=False),
        rate_limit=parse_anthropic_rate_limit,
        models=ModelListing(
            path=_models_path(), decode_page=_models_page, max_pages=max_model_pages
        ),
        headers={"anthropic-version": anthropic_version},
        advise=advise_anthropic_base_url,
    )


class AnthropicAdapter(HttpAdapter):
    """Anthropic Messages API adapter.

    ``headers`` are sent with every request over the defaults; they may not set ``x-api-key``
    (the credential does). ``default_max_tokens`` is the ``max_tokens`` sent when neither the
    request nor the catalog gives one. Discovery follows at most ``max_model_pages`` pages.
    """

    def __init__(
        self,
        transport: HttpTransport,
        *,
        provider_id: str = "anthropic",
        base_url: str = DEFAULT_BASE_URL,
        anthropic_version: str = DEFAULT_VERSION,
        default_max_tokens: int = DEFAULT_MAX_TOKENS,
        max_model_pages: int = 10,
        **options: Unpack[EndpointOptions],
    ) -> None:
        declaration = anthropic_declaration(
            anthropic_version=anthropic_version,
            default_max_tokens=default_max_tokens,
            max_model_pages=max_model_pages,
        )
        super().__init__(
            declaration,
            transport,
            provider_id=provider_id,
            base_url=base_url,
            **options,
        )
