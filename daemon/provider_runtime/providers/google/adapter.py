"""``GoogleAdapter``: the Gemini API (``generateContent``) declared on the generic ``HttpAdapter``.

POST {base_url}/models/{model}:generateContent, POST {base_url}/models/{model}:countTokens
(https://ai.google.dev/api/tokens) and GET {base_url}/models, authenticated with
``x-goog-api-key`` (https://ai.google.dev/api#authentication).
"""

from __future__ import annotations

from typing import Any, Unpack
from urllib.parse import quote, urlencode

from ...core.types import (
    CacheSupport,
    ModelInfo,
    ProviderCapabilities,
    ProviderResponse,
    ProviderRuntimeWarning,
    SystemPlacement,
)
from ...transport.http import HttpResponse, HttpTransport, redact_url
from ..http import (
    X_GOOG_API_KEY,
    Call,
    EndpointOptions,
    HttpAdapter,
    ModelListing,
    ProviderDeclaration,
    TokenCounting,
    count_decoder,
)
from .decode import decode_gemini_response
from .encode import encode_gemini_request
from .errors import decode_gemini_error, decode_gemini_models_page
from .wire import GeminiRequest

__all__ = ["DEFAULT_BASE_URL", "GOOGLE_CAPABILITIES", "GoogleAdapter", "google_declaration"]

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta"
_MODELS_PAGE_SIZE = 1000  # models.list caps pageSize at 1000

# https://ai.google.dev/gemini-api/docs/caching: "Implicit caching is enabled by default for all
# Gemini 2.5 and newer models" (the `-latest` aliases name such models); earlier models (1.x,
# 2.0) and Gemma have no implicit cache, and no model takes a marker, key or retention: the
# explicit cache is a `cachedContents` resource, stateful and out of scope.
GEMINI_IMPLICIT_CACHE = CacheSupport(
    models=r"^(?:models/)?gemini-(?:(?:2\.[5-9]|[3-9]|[1-9]\d)(?:[.-]|$)"
    r"|(?:flash|flash-lite|pro)-latest$)",
    breakpoints=0,
    implicit=True,
)

GOOGLE_CAPABILITIES = ProviderCapabilities(
    tools=True,
    vision=True,
    json_mode=True,
    json_schema=True,
    reasoning=True,
    reasoning_replay=True,  # thought signatures go back to the model that made them
    system_placement=SystemPlacement.TOP_LEVEL,  # systemInstruction
    requires_alternation=True,  # a function call must follow a user or function-response turn
    tool_call_id_pattern=None,
    tool_call_id_max_length=None,
    remote_discovery=True,
    cache=(GEMINI_IMPLICIT_CACHE,),
)


def chat_path(call: Call) -> str:
    model = call.model.removeprefix("models/")
    return f"/models/{quote(model, safe='')}:generateContent"


def count_path(call: Call) -> str:
    model = call.model.removeprefix("models/")
    return f"/models/{quote(model, safe='')}:countTokens"


def _encode_count(call: Call) -> tuple[dict[str, Any], list[ProviderRuntimeWarning]]:
    """The whole ``generateContent`` body as ``generateContentRequest`` (which needs the model
    as ``models/{id}``), so system instruction and tools are counted, not just the contents."""
    body, warnings = _encode(call)
    model = f"models/{call.model.removeprefix('models/')}"
    return {"generateContentRequest": {"model": model, **body}}, warnings


# ``CountTokensResponse.totalTokens``
decode_count_tokens = count_decoder("totalTokens")


def _encode(call: Call) -> tuple[GeminiRequest, list[ProviderRuntimeWarning]]:
    return encode_gemini_request(
        call.request, call.model, provider=call.provider, model_info=call.model_info
    )


def _decode(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    return decode_gemini_response(
        body, provider=call.provider, model=call.model, request_id=request_id
    )


def _models_path(token: str | None = None) -> str:
    query = {"pageSize": str(_MODELS_PAGE_SIZE)}
    if token is not None:
        query["pageToken"] = token
    return f"/models?{urlencode(query)}"


def _models_page(resp: HttpResponse, provider: str) -> tuple[list[ModelInfo], str | None]:
    page, token = decode_gemini_models_page(resp.content, provider=provider)
    return page, _models_path(token) if token is not None else None


def advise_google_base_url(provider: str, base_url: str) -> str:
    """The Gemini API's base URL ends in its version (`/v1beta`), before `/models/...`."""
    key = f"`providers.{provider}.base_url`" if provider else "`base_url`"
    trimmed = base_url.rstrip("/")
    if trimmed.endswith("/models"):
        return (
            f"{key} ends in `/models`, which the runtime adds itself: "
            f"set it to `{redact_url(trimmed[: -len('/models')])}`"
        )
    return (
        f"check {key} (now `{redact_url(trimmed)}`): it is the part before "
        f"`/models/MODEL:generateContent` (the default is `{DEFAULT_BASE_URL}`)"
    )


def google_declaration(*, max_model_pages: int = 10) -> ProviderDeclaration:
    return ProviderDeclaration(
        chat_path=chat_path,
        auth=X_GOOG_API_KEY,
        capabilities=GOOGLE_CAPABILITIES,
        encode=_encode,
        decode=_decode,
        classify_error=decode_gemini_error,
        # "The number of tokens that the Model tokenizes the prompt into" (CountTokensResponse).
        counting=TokenCounting(
            path=count_path, encode=_encode_count, decode=decode_count_tokens, exact=True
        ),
        models=ModelListing(
            path=_models_path(), decode_page=_models_page, max_pages=max_model_pages, sort=True
        ),
        advise=advise_google_base_url,
    )


class GoogleAdapter(HttpAdapter):
    """Gemini API adapter. ``headers`` go over the defaults and may not set ``x-goog-api-key``
    (the credential does); discovery follows at most ``max_model_pages`` pages."""

    def __init__(
        self,
        transport: HttpTransport,
        *,
        provider_id: str = "google",
        base_url: str = DEFAULT_BASE_URL,
        max_model_pages: int = 10,
        **options: Unpack[EndpointOptions],
    ) -> None:
        super().__init__(
            google_declaration(max_model_pages=max_model_pages),
            transport,
            provider_id=provider_id,
            base_url=base_url,
            **options,
        )
