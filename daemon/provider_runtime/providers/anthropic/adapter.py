"""``AnthropicAdapter``: the Messages API behind the ``ProviderAdapter`` contract (glue only).

POST {base_url}/v1/messages and GET {base_url}/v1/models, authenticated with ``x-api-key`` and
pinned to an ``anthropic-version`` (https://docs.claude.com/en/api/versioning).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import msgspec

from ...core.errors import ConfigError
from ...core.types import (
    AdapterContext,
    ModelInfo,
    ProviderCapabilities,
    ProviderRequest,
    ProviderResponse,
    Secret,
    SystemPlacement,
)
from ...transport.http import HttpResponse, HttpTransport, RetryPolicy
from .decode import decode_anthropic_error, decode_anthropic_models_page, decode_anthropic_response
from .encode import DEFAULT_MAX_TOKENS, JSON_TOOL_NAME, encode_anthropic_request, uses_json_tool

__all__ = ["ANTHROPIC_CAPABILITIES", "DEFAULT_BASE_URL", "DEFAULT_VERSION", "AnthropicAdapter"]

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_VERSION = "2023-06-01"
_AUTH_HEADER = "x-api-key"
_MODELS_PAGE_SIZE = 1000  # the API's maximum `limit`

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
)

_encoder = msgspec.json.Encoder()


class AnthropicAdapter:
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
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        anthropic_version: str = DEFAULT_VERSION,
        default_max_tokens: int = DEFAULT_MAX_TOKENS,
        max_model_pages: int = 10,
    ) -> None:
        extra = dict(headers or {})
        if any(name.lower() == _AUTH_HEADER for name in extra):
            raise ConfigError(
                f"extra headers of provider `{provider_id}` may not set {_AUTH_HEADER}; "
                "configure the API key as its credential instead",
                key=f"providers.{provider_id}.headers",
            )
        self._transport = transport
        self._id = provider_id
        self._base_url = base_url.rstrip("/")
        self._extra_headers = extra
        self._timeout = timeout
        self._retry = retry
        self._version = anthropic_version
        self._default_max_tokens = default_max_tokens
        self._max_model_pages = max_model_pages

    @property
    def id(self) -> str:
        return self._id

    @property
    def capabilities(self) -> ProviderCapabilities:
        return ANTHROPIC_CAPABILITIES

    def __repr__(self) -> str:
        return f"AnthropicAdapter(id={self._id!r}, base_url={self._base_url!r})"

    def _headers(self, credential: Secret | None, *, json_body: bool) -> dict[str, str]:
        headers = {"accept": "application/json", "anthropic-version": self._version}
        if json_body:
            headers["content-type"] = "application/json"
        headers.update(self._extra_headers)
        if credential is not None:
            headers[_AUTH_HEADER] = credential.reveal()
        return headers

    def _raise_for_status(self, resp: HttpResponse) -> None:
        if not resp.ok:
            raise decode_anthropic_error(
                resp.status,
                resp.content,
                provider=self._id,
                request_id=resp.request_id,
                retry_after=resp.retry_after,
            )

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse:
        model = context.model.id
        body, warnings = encode_anthropic_request(
            request,
            model,
            provider=self._id,
            model_info=context.model_info,
            default_max_tokens=self._default_max_tokens,
        )
        resp = await self._transport.request(
            "POST",
            f"{self._base_url}/v1/messages",
            provider=self._id,
            headers=self._headers(context.credential, json_body=True),
            content=_encoder.encode(body),
            timeout=context.timeout if context.timeout is not None else self._timeout,
            retry=self._retry,
        )
        self._raise_for_status(resp)
        response = decode_anthropic_response(
            resp.content,
            provider=self._id,
            request_id=resp.request_id,
            model=model,
            json_tool=JSON_TOOL_NAME if uses_json_tool(request) else None,
        )
        if warnings:
            response = msgspec.structs.replace(response, warnings=[*warnings, *response.warnings])
        return response

    async def discover_models(self, credential: Secret | None) -> list[ModelInfo]:
        models: list[ModelInfo] = []
        after: str | None = None
        for _ in range(self._max_model_pages):
            query = {"limit": str(_MODELS_PAGE_SIZE)}
            if after is not None:
                query["after_id"] = after
            resp = await self._transport.request(
                "GET",
                f"{self._base_url}/v1/models?{urlencode(query)}",
                provider=self._id,
                headers=self._headers(credential, json_body=False),
                timeout=self._timeout,
                retry=self._retry,
            )
            self._raise_for_status(resp)
            page, after = decode_anthropic_models_page(resp.content, provider=self._id)
            models.extend(page)
            if after is None:
                break
        return models
