"""``OpenAIAdapter``: Chat Completions behind the ``ProviderAdapter`` contract (glue only).

POST {base_url}/chat/completions and GET {base_url}/models with ``Authorization: Bearer``
(https://platform.openai.com/docs/api-reference/authentication). The same class serves any
OpenAI-compatible server declared in the config: its ``quirks`` select the dialect.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from ...config import OpenAICompatQuirks
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
from .decode import decode_openai_error, decode_openai_models, decode_openai_response
from .dialect import OpenAIDialect
from .encode import encode_openai_request

__all__ = ["DEFAULT_BASE_URL", "OPENAI_CAPABILITIES", "OpenAIAdapter", "capabilities_for"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
AUTH_HEADER = "authorization"

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

_encoder = msgspec.json.Encoder()


def capabilities_for(dialect: OpenAIDialect) -> ProviderCapabilities:
    """What an endpoint of this dialect can express (handoff and the runtime adapt to it)."""
    return msgspec.structs.replace(
        OPENAI_CAPABILITIES,
        tools=dialect.supports_tools,
        vision=dialect.supports_vision,
        json_mode=dialect.supports_json_mode,
        json_schema=dialect.supports_json_schema,
    )


def check_extra_headers(headers: Mapping[str, str] | None, provider_id: str) -> dict[str, str]:
    """Configured extra headers; they may not set the credential's header."""
    extra = dict(headers or {})
    if any(name.lower() == AUTH_HEADER for name in extra):
        raise ConfigError(
            f"extra headers of provider `{provider_id}` may not set Authorization; "
            "configure the API key as its credential instead",
            key=f"providers.{provider_id}.headers",
        )
    return extra


def bearer_headers(
    credential: Secret | None, extra: Mapping[str, str], *, json_body: bool
) -> dict[str, str]:
    headers = {"accept": "application/json"}
    if json_body:
        headers["content-type"] = "application/json"
    headers.update(extra)
    if credential is not None:
        headers[AUTH_HEADER] = f"Bearer {credential.reveal()}"
    return headers


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
        self._transport = transport
        self._id = provider_id
        self._base_url = base_url.rstrip("/")
        self._extra_headers = check_extra_headers(headers, provider_id)
        self._timeout = timeout
        self._retry = retry
        if quirks is None:
            self._dialect = OpenAIDialect(
                provider=provider_id, metadata="store" if store_completions else "drop"
            )
        else:
            self._dialect = OpenAIDialect.from_quirks(quirks, provider=provider_id)
        self._capabilities = capabilities_for(self._dialect)

    @property
    def id(self) -> str:
        return self._id

    @property
    def capabilities(self) -> ProviderCapabilities:
        return self._capabilities

    @property
    def dialect(self) -> OpenAIDialect:
        return self._dialect

    def __repr__(self) -> str:
        return f"OpenAIAdapter(id={self._id!r}, base_url={self._base_url!r})"

    def _raise_for_status(self, resp: HttpResponse) -> None:
        if not resp.ok:
            raise decode_openai_error(
                resp.status,
                resp.content,
                provider=self._id,
                request_id=resp.request_id,
                retry_after=resp.retry_after,
            )

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse:
        model = context.model.id
        body, warnings = encode_openai_request(request, model, dialect=self._dialect)
        resp = await self._transport.request(
            "POST",
            f"{self._base_url}/chat/completions",
            provider=self._id,
            headers=bearer_headers(context.credential, self._extra_headers, json_body=True),
            content=_encoder.encode(body),
            timeout=context.timeout if context.timeout is not None else self._timeout,
            retry=self._retry,
        )
        self._raise_for_status(resp)
        response = decode_openai_response(
            resp.content, provider=self._id, request_id=resp.request_id, requested_model=model
        )
        if warnings:
            response = msgspec.structs.replace(response, warnings=[*warnings, *response.warnings])
        return response

    async def discover_models(self, credential: Secret | None) -> list[ModelInfo]:
        resp = await self._transport.request(
            "GET",
            f"{self._base_url}/models",
            provider=self._id,
            headers=bearer_headers(credential, self._extra_headers, json_body=False),
            timeout=self._timeout,
            retry=self._retry,
        )
        self._raise_for_status(resp)
        return decode_openai_models(resp.content, provider=self._id)
