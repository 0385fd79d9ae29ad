"""``OpenRouterAdapter``: OpenRouter's chat completions behind ``ProviderAdapter`` (glue only).

POST {base_url}/chat/completions and GET {base_url}/models with ``Authorization: Bearer`` and the
optional app attribution headers ``HTTP-Referer``/``X-Title``
(https://openrouter.ai/docs/api-reference/overview#headers).
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

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
from ..http import Endpoint, with_warnings
from .decode import (
    decode_openrouter_error,
    decode_openrouter_models_page,
    decode_openrouter_response,
)
from .encode import encode_openrouter_request

__all__ = ["DEFAULT_BASE_URL", "OPENROUTER_CAPABILITIES", "OpenRouterAdapter"]

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
)


class OpenRouterAdapter:
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
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        http_referer: str | None = None,
        app_title: str | None = None,
        max_model_pages: int = 10,
    ) -> None:
        extra: dict[str, str] = {}
        if http_referer:
            extra["HTTP-Referer"] = http_referer
        if app_title:
            extra["X-Title"] = app_title
        extra.update(headers or {})
        self._http = Endpoint(
            transport=transport,
            provider=provider_id,
            base_url=base_url,
            decode_error=decode_openrouter_error,
            headers=extra,
            timeout=timeout,
            retry=retry,
        )
        self._max_model_pages = max_model_pages

    @property
    def id(self) -> str:
        return self._http.provider

    @property
    def capabilities(self) -> ProviderCapabilities:
        return OPENROUTER_CAPABILITIES

    def __repr__(self) -> str:
        return f"OpenRouterAdapter(id={self.id!r}, base_url={self._http.base_url!r})"

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse:
        model = context.model.id
        body, warnings = encode_openrouter_request(request, model, provider=self.id)
        resp = await self._http.call(
            "POST",
            "/chat/completions",
            credential=context.credential,
            body=body,
            timeout=context.timeout,
        )
        response = decode_openrouter_response(
            resp.content, provider=self.id, request_id=resp.request_id, requested_model=model
        )
        return with_warnings(response, warnings)

    async def discover_models(self, credential: Secret | None) -> list[ModelInfo]:
        models: dict[str, ModelInfo] = {}
        url: str | None = "/models"
        for _ in range(self._max_model_pages):
            if url is None:
                break
            resp = await self._http.call("GET", url, credential=credential)
            page, following = decode_openrouter_models_page(resp.content, provider=self.id)
            models.update((m.id, m) for m in page)
            url = str(httpx.URL(resp.url).join(following)) if following else None
        return [models[key] for key in sorted(models)]
