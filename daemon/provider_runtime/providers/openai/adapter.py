"""``OpenAIAdapter``: Chat Completions behind the ``ProviderAdapter`` contract (glue only).

POST {base_url}/chat/completions and GET {base_url}/models with ``Authorization: Bearer``
(https://platform.openai.com/docs/api-reference/authentication). The same class serves any
OpenAI-compatible server declared in the config: its ``quirks`` select the dialect.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from ...config import OpenAICompatQuirks
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
from .decode import decode_openai_error, decode_openai_models, decode_openai_response
from .dialect import OpenAIDialect
from .encode import encode_openai_request

__all__ = ["DEFAULT_BASE_URL", "OPENAI_CAPABILITIES", "OpenAIAdapter", "capabilities_for"]

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
    )


class OpenAIAdapter:
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
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        quirks: OpenAICompatQuirks | None = None,
        store_completions: bool = False,
    ) -> None:
        self._http = Endpoint(
            transport=transport,
            provider=provider_id,
            base_url=base_url,
            decode_error=decode_openai_error,
            headers=dict(headers or {}),
            timeout=timeout,
            retry=retry,
        )
        if quirks is None:
            self._dialect = OpenAIDialect(
                provider=provider_id, metadata="store" if store_completions else "drop"
            )
        else:
            self._dialect = OpenAIDialect.from_quirks(quirks, provider=provider_id)
        self._capabilities = capabilities_for(self._dialect)

    @property
    def id(self) -> str:
        return self._http.provider

    @property
    def capabilities(self) -> ProviderCapabilities:
        return self._capabilities

    @property
    def dialect(self) -> OpenAIDialect:
        return self._dialect

    def __repr__(self) -> str:
        return f"OpenAIAdapter(id={self.id!r}, base_url={self._http.base_url!r})"

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse:
        model = context.model.id
        body, warnings = encode_openai_request(request, model, dialect=self._dialect)
        resp = await self._http.call(
            "POST",
            "/chat/completions",
            credential=context.credential,
            body=body,
            timeout=context.timeout,
        )
        response = decode_openai_response(
            resp.content, provider=self.id, request_id=resp.request_id, requested_model=model
        )
        return with_warnings(response, warnings)

    async def discover_models(self, credential: Secret | None) -> list[ModelInfo]:
        resp = await self._http.call("GET", "/models", credential=credential)
        return decode_openai_models(resp.content, provider=self.id)
