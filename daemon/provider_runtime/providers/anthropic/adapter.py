"""``AnthropicAdapter``: the Messages API behind the ``ProviderAdapter`` contract (glue only).

POST {base_url}/v1/messages and GET {base_url}/v1/models, authenticated with ``x-api-key`` and
pinned to an ``anthropic-version`` (https://docs.claude.com/en/api/versioning).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from ...core.types import (
    AdapterContext,
    ModelInfo,
    ProviderCapabilities,
    ProviderRequest,
    ProviderResponse,
    Secret,
    SystemPlacement,
)
from ...transport.http import HttpTransport, RetryPolicy
from ..errors import advise_anthropic_base_url
from ..http import Endpoint, with_warnings
from .decode import decode_anthropic_error, decode_anthropic_models_page, decode_anthropic_response
from .encode import DEFAULT_MAX_TOKENS, JSON_TOOL_NAME, encode_anthropic_request, uses_json_tool

__all__ = ["ANTHROPIC_CAPABILITIES", "DEFAULT_BASE_URL", "DEFAULT_VERSION", "AnthropicAdapter"]

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_VERSION = "2023-06-01"
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
        self._http = Endpoint(
            transport=transport,
            provider=provider_id,
            base_url=base_url,
            decode_error=decode_anthropic_error,
            auth_header="x-api-key",
            auth_prefix="",
            headers={"anthropic-version": anthropic_version, **(headers or {})},
            timeout=timeout,
            retry=retry,
            advise=advise_anthropic_base_url,
        )
        self._version = anthropic_version
        self._default_max_tokens = default_max_tokens
        self._max_model_pages = max_model_pages

    @property
    def id(self) -> str:
        return self._http.provider

    @property
    def capabilities(self) -> ProviderCapabilities:
        return ANTHROPIC_CAPABILITIES

    def __repr__(self) -> str:
        return f"AnthropicAdapter(id={self.id!r}, base_url={self._http.base_url!r})"

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse:
        model = context.model.id
        body, warnings = encode_anthropic_request(
            request,
            model,
            provider=self.id,
            model_info=context.model_info,
            default_max_tokens=self._default_max_tokens,
        )
        resp = await self._http.call(
            "POST",
            "/v1/messages",
            credential=context.credential,
            body=body,
            timeout=context.timeout,
        )
        response = decode_anthropic_response(
            resp.content,
            provider=self.id,
            request_id=resp.request_id,
            model=model,
            json_tool=JSON_TOOL_NAME if uses_json_tool(request) else None,
        )
        return with_warnings(response, warnings)

    async def discover_models(self, credential: Secret | None) -> list[ModelInfo]:
        models: list[ModelInfo] = []
        after: str | None = None
        for _ in range(self._max_model_pages):
            query = {"limit": str(_MODELS_PAGE_SIZE)}
            if after is not None:
                query["after_id"] = after
            resp = await self._http.call(
                "GET", f"/v1/models?{urlencode(query)}", credential=credential
            )
            page, after = decode_anthropic_models_page(resp.content, provider=self.id)
            models.extend(page)
            if after is None:
                break
        return models
