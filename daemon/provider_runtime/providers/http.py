"""One generic HTTP adapter: a provider is a declaration, ``HttpAdapter`` does the rest.

A provider declares its chat path, auth scheme, capabilities, ``encode``, ``decode``, an error
classifier and (optionally) how to list its models, how to count a prompt's tokens
(``TokenCounting``) and how to read its rate-limit headers (``ProviderDeclaration``). Sending,
retries, refusing a non-2xx answer, credential headers, paging and ``repr`` are the same for all
and live here. The classifier is handed to the transport once: it decides retries from the error it
builds and raises that same error, so an error body is decoded once per answer.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, Unpack

import httpx
import msgspec

from ..core.errors import ConfigError, ErrorKind, ProviderError
from ..core.tokens import estimate_request_tokens
from ..core.types import (
    AdapterContext,
    ModelInfo,
    ProviderCapabilities,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
    RateLimit,
    Secret,
    TokenCount,
)
from ..transport.http import HttpResponse, HttpTransport, RetryPolicy, redact_url
from .errors import BaseUrlAdvice, advise_openai_base_url, locate_error
from .ratelimit import RateLimitParser
from .warnings import with_warnings

__all__ = [
    "API_KEY",
    "BEARER",
    "X_API_KEY",
    "X_GOOG_API_KEY",
    "Auth",
    "Call",
    "Endpoint",
    "EndpointOptions",
    "ErrorDecoder",
    "HttpAdapter",
    "ModelListing",
    "PreparedRequest",
    "ProviderDeclaration",
    "Signer",
    "TokenCounting",
    "count_decoder",
    "decode_input_tokens",
    "with_warnings",
]

_encoder = msgspec.json.Encoder()


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedRequest:
    """A request as it will be sent, body encoded: what a ``Signer`` signs."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None


# Headers that authenticate a prepared request signed without a configured key (AWS SigV4).
Signer = Callable[[PreparedRequest], Awaitable[Mapping[str, str]]]


@dataclass(frozen=True, slots=True)
class Auth:
    """How a request is authenticated: a configured key travels in the header ``header`` as
    ``prefix + key``; without one, ``signer`` (when given) signs the prepared request.

    ``signer`` is the hook for schemes that sign each request from a credential chain of their
    own (Bedrock's SigV4); the header schemes leave it None and send nothing without a key.
    """

    header: str
    prefix: str = ""
    signer: Signer | None = None

    async def headers(
        self, credential: Secret | None, request: PreparedRequest
    ) -> Mapping[str, str]:
        if credential is not None:
            return {self.header: f"{self.prefix}{credential.reveal()}"}
        if self.signer is not None:
            return await self.signer(request)
        return {}


BEARER = Auth("Authorization", "Bearer ")  # OpenAI, OpenRouter, compatible servers
X_API_KEY = Auth("x-api-key")  # Anthropic
X_GOOG_API_KEY = Auth("x-goog-api-key")  # Google Gemini
API_KEY = Auth("api-key")  # Azure OpenAI


class ErrorDecoder(Protocol):
    """A provider's error classifier: status, body and what the headers said; never raises."""

    def __call__(
        self,
        status: int,
        body: bytes,
        *,
        provider: str,
        request_id: str | None,
        retry_after: float | None,
        headers: Mapping[str, str] | None = None,
    ) -> ProviderError: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """What a provider's ``encode`` and ``decode`` know about one call."""

    provider: str
    model: str  # the provider's own model id
    request: ProviderRequest
    model_info: ModelInfo | None = None


Encode = Callable[[Call], tuple[Any, list[ProviderRuntimeWarning]]]
Decode = Callable[[bytes, Call, str | None], ProviderResponse]  # body, call, request id


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelListing:
    """``GET path``, then the pages ``decode_page`` points to (a base-relative path or a URL
    on the same origin), at most ``max_pages``. Later pages win for a repeated id."""

    path: str
    decode_page: Callable[[HttpResponse, str], tuple[list[ModelInfo], str | None]]
    max_pages: int = 10
    sort: bool = False


ChatPath = str | Callable[[Call], str]  # fixed, or from the call (a model id in the path)


def count_decoder(field: str) -> Callable[[bytes, str], int]:
    """The reader of a counting endpoint's answer ``{field: N}`` (body, provider id -> N); an
    unreadable or negative count is a ``protocol`` error."""
    decoder = msgspec.json.Decoder(msgspec.defstruct("CountAnswer", [(field, int)]))

    def decode(body: bytes, provider: str) -> int:
        try:
            count: int = getattr(decoder.decode(body), field)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ProviderError(
                ErrorKind.PROTOCOL, f"unreadable token count answer: {exc}", provider=provider
            ) from None
        if count < 0:
            raise ProviderError(
                ErrorKind.PROTOCOL,
                f"negative token count in the answer: {count}",
                provider=provider,
            )
        return count

    return decode


# ``{"input_tokens": N}``, the answer of both Anthropic's and OpenAI's counting endpoints.
decode_input_tokens = count_decoder("input_tokens")


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenCounting:
    """``POST path`` with ``encode(call)`` counts the prompt ``run`` would send; ``decode``
    reads the count from the answer. ``exact``: the provider promises the number the model
    will receive (OpenAI does; Anthropic calls its count an estimate)."""

    path: ChatPath
    encode: Encode
    decode: Callable[[bytes, str], int] = decode_input_tokens  # body, provider id
    exact: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderDeclaration:
    """Everything that makes one HTTP provider different from another.

    ``chat_path`` is a path, or a function of the call for APIs that name the model in the path
    (Gemini's ``/models/{model}:generateContent``, Bedrock's ``/model/{modelId}/converse``).
    """

    chat_path: ChatPath
    auth: Auth
    capabilities: ProviderCapabilities
    encode: Encode
    decode: Decode
    classify_error: ErrorDecoder
    models: ModelListing | None = None
    counting: TokenCounting | None = None  # None: no endpoint, the runtime estimates
    rate_limit: RateLimitParser | None = None  # None: its headers carry no rate limits
    headers: Mapping[str, str] = field(default_factory=dict)  # sent with every request
    advise: BaseUrlAdvice = advise_openai_base_url  # what its base URL looks like (404/405)


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """One provider's base URL, fixed headers and credential header, over the shared transport.

    Configured ``headers`` go over the defaults but may not set the credential's header (a
    ConfigError at construction). ``advise`` says what the provider's base URL should look like
    when an answer suggests a wrong address (a 404 or 405).
    """

    transport: HttpTransport
    provider: str
    base_url: str
    decode_error: ErrorDecoder
    auth: Auth = BEARER
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None
    retry: RetryPolicy | None = None
    advise: BaseUrlAdvice = advise_openai_base_url
    rate_limit: RateLimitParser | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if any(name.lower() == self.auth.header.lower() for name in self.headers):
            raise ConfigError(
                f"extra headers of provider `{self.provider}` may not set {self.auth.header}; "
                "configure the API key as its credential instead",
                key=f"providers.{self.provider}.headers",
            )

    async def headers_for(
        self, credential: Secret | None, *, method: str, url: str, content: bytes | None
    ) -> dict[str, str]:
        """The request's headers: the defaults, the configured ones, then its authentication
        (the key's header, or the signer's headers over the request as it will be sent)."""
        headers = {"accept": "application/json"}
        if content is not None:
            headers["content-type"] = "application/json"
        headers.update(self.headers)
        prepared = PreparedRequest(method=method, url=url, headers=dict(headers), body=content)
        headers.update(await self.auth.headers(credential, prepared))
        return headers

    async def call(
        self,
        method: str,
        path: str,
        *,
        credential: Secret | None,
        body: Any = None,
        timeout: float | None = None,  # noqa: ASYNC109 - per attempt, over the configured one
    ) -> HttpResponse:
        """Send one request (``path`` relative to the base URL, or absolute); 2xx or raise.

        An absolute URL (a pagination link the provider returned) must be on the base URL's
        origin: the credential is never sent to another host.
        """
        absolute = path.startswith(("http://", "https://"))
        url = path if absolute else f"{self.base_url}{path}"
        if absolute and _origin(url) != _origin(self.base_url):
            raise ProviderError(
                ErrorKind.PROTOCOL,
                f"refusing to follow a link to another origin ({redact_url(url)})",
                provider=self.provider,
            )
        content = None if body is None else _encoder.encode(body)
        return await self.transport.request(
            method,
            url,
            provider=self.provider,
            headers=await self.headers_for(credential, method=method, url=url, content=content),
            content=content,
            timeout=timeout if timeout is not None else self.timeout,
            retry=self.retry,
            classify=functools.partial(self.classify, method),
        )

    def classify(self, method: str, resp: HttpResponse) -> ProviderError:
        """The provider's error for a non-2xx answer, with the answer's rate-limit snapshot;
        where the request went, too, when the answer suggests a wrong address."""
        error = self.decode_error(
            resp.status,
            resp.content,
            provider=self.provider,
            request_id=resp.request_id,
            retry_after=resp.retry_after,
            headers=resp.headers,
        )
        located = locate_error(
            error,
            method=method,
            url=resp.url,
            body=resp.content,
            base_url=self.base_url,
            advise=self.advise,
        )
        located.rate_limit = self.rate_limit_of(resp)
        return located

    def rate_limit_of(self, resp: HttpResponse) -> RateLimit | None:
        """The answer's rate-limit snapshot, or None."""
        return None if self.rate_limit is None else self.rate_limit(resp.headers)


@contextlib.contextmanager
def _carrying(rate_limit: RateLimit | None) -> Iterator[None]:
    """A 2xx answer that cannot be decoded still reports its headers' rate limits."""
    try:
        yield
    except ProviderError as exc:
        if exc.rate_limit is None:
            exc.rate_limit = rate_limit
        raise


def _origin(url: str) -> tuple[str, str, int | None]:
    u = httpx.URL(url)
    return u.scheme, u.host, u.port


class EndpointOptions(TypedDict, total=False):
    """What every HTTP adapter takes besides its id, base URL and declaration."""

    headers: Mapping[str, str] | None  # sent over the defaults; never the credential's header
    timeout: float | None  # per attempt, seconds
    retry: RetryPolicy | None


class HttpAdapter:
    """The ``ProviderAdapter`` of every HTTP provider, driven by its ``ProviderDeclaration``."""

    def __init__(
        self,
        declaration: ProviderDeclaration,
        transport: HttpTransport,
        *,
        provider_id: str,
        base_url: str,
        **options: Unpack[EndpointOptions],
    ) -> None:
        self._declaration = declaration
        self._http = Endpoint(
            transport=transport,
            provider=provider_id,
            base_url=base_url,
            decode_error=declaration.classify_error,
            auth=declaration.auth,
            headers={**declaration.headers, **(options.get("headers") or {})},
            timeout=options.get("timeout"),
            retry=options.get("retry"),
            advise=declaration.advise,
            rate_limit=declaration.rate_limit,
        )

    @property
    def id(self) -> str:
        return self._http.provider

    @property
    def capabilities(self) -> ProviderCapabilities:
        return self._declaration.capabilities

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, base_url={self._http.base_url!r})"

    def declaration_for(self, context: AdapterContext) -> ProviderDeclaration:
        """The declaration serving this call (one API per provider, unless a subclass picks
        per model, as OpenAI's Chat Completions / Responses choice does)."""
        return self._declaration

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse:
        declared = self.declaration_for(context)
        call = self._call(request, context)
        body, warnings = declared.encode(call)
        resp = await self._post(declared.chat_path, call, body, context)
        rate_limit = self._http.rate_limit_of(resp)
        with _carrying(rate_limit):
            response = declared.decode(resp.content, call, resp.request_id)
        response = msgspec.structs.replace(response, rate_limit=rate_limit)
        return with_warnings(response, warnings)

    @property
    def counts_tokens(self) -> bool:
        """True when the declaration has a counting endpoint (``TokenCounter``); a model whose
        API (``declaration_for``) has none is then estimated as the runtime would."""
        return self._declaration.counting is not None

    async def count_tokens(self, request: ProviderRequest, context: AdapterContext) -> TokenCount:
        """The provider's count of the prompt ``run`` would send (same encode, same call)."""
        counting = self.declaration_for(context).counting
        if counting is None:  # this model's API has none: the runtime's offline rule
            return TokenCount(
                input_tokens=estimate_request_tokens(request),
                exact=False,
                source="estimate",
                provider=self.id,
                model=context.model.id,
            )
        call = self._call(request, context)
        body, warnings = counting.encode(call)
        resp = await self._post(counting.path, call, body, context)
        with _carrying(self._http.rate_limit_of(resp)):
            input_tokens = counting.decode(resp.content, self.id)
        return TokenCount(
            input_tokens=input_tokens,
            exact=counting.exact,
            source="provider",
            provider=self.id,
            model=context.model.id,
            warnings=warnings,
        )

    def _call(self, request: ProviderRequest, context: AdapterContext) -> Call:
        return Call(
            provider=self.id, model=context.model.id, request=request, model_info=context.model_info
        )

    async def _post(
        self, path: ChatPath, call: Call, body: Any, context: AdapterContext
    ) -> HttpResponse:
        """POST ``body`` to the declared path (or the path made for this call)."""
        return await self._http.call(
            "POST",
            path if isinstance(path, str) else path(call),
            credential=context.credential,
            body=body,
            timeout=context.timeout,
        )

    async def discover_models(self, credential: Secret | None) -> list[ModelInfo]:
        listing = self._declaration.models
        if listing is None:
            return []
        models: dict[str, ModelInfo] = {}
        path: str | None = listing.path
        for _ in range(listing.max_pages):
            if path is None:
                break
            resp = await self._http.call("GET", path, credential=credential)
            page, path = listing.decode_page(resp, self.id)
            models.update((m.id, m) for m in page)
        found = list(models.values())
        return sorted(found, key=lambda m: m.id) if listing.sort else found
