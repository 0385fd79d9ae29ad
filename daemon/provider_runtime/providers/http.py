"""The HTTP glue every adapter shares: credential headers, one JSON exchange, error decoding.

Adapters differ in paths, the credential's header and their error decoder; everything else
about sending a request and refusing a non-2xx answer is the same and lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import msgspec

from ..core.errors import ConfigError, ErrorKind, ProviderError
from ..core.types import ProviderResponse, ProviderRuntimeWarning, Secret
from ..transport.http import HttpResponse, HttpTransport, RetryPolicy, redact_url
from .errors import BaseUrlAdvice, advise_openai_base_url, locate_error

__all__ = ["Endpoint", "ErrorDecoder", "with_warnings"]

_encoder = msgspec.json.Encoder()


class ErrorDecoder(Protocol):
    def __call__(
        self,
        status: int,
        body: bytes,
        *,
        provider: str,
        request_id: str | None,
        retry_after: float | None,
    ) -> ProviderError: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """One provider's base URL, fixed headers and credential header, over the shared transport.

    ``auth_header`` carries the credential as ``auth_prefix + key``. Configured ``headers`` go
    over the defaults but may not set the credential's header (a ConfigError at construction).
    ``advise`` says what the provider's base URL should look like when an answer suggests a
    wrong address (a 404 or 405).
    """

    transport: HttpTransport
    provider: str
    base_url: str
    decode_error: ErrorDecoder
    auth_header: str = "Authorization"
    auth_prefix: str = "Bearer "
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None
    retry: RetryPolicy | None = None
    advise: BaseUrlAdvice = advise_openai_base_url

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if any(name.lower() == self.auth_header.lower() for name in self.headers):
            raise ConfigError(
                f"extra headers of provider `{self.provider}` may not set {self.auth_header}; "
                "configure the API key as its credential instead",
                key=f"providers.{self.provider}.headers",
            )

    def headers_for(self, credential: Secret | None, *, json_body: bool) -> dict[str, str]:
        headers = {"accept": "application/json"}
        if json_body:
            headers["content-type"] = "application/json"
        headers.update(self.headers)
        if credential is not None:
            headers[self.auth_header] = f"{self.auth_prefix}{credential.reveal()}"
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
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        if _origin(url) != _origin(self.base_url):
            raise ProviderError(
                ErrorKind.PROTOCOL,
                f"refusing to follow a link to another origin ({redact_url(url)})",
                provider=self.provider,
            )
        resp = await self.transport.request(
            method,
            url,
            provider=self.provider,
            headers=self.headers_for(credential, json_body=body is not None),
            content=None if body is None else _encoder.encode(body),
            timeout=timeout if timeout is not None else self.timeout,
            retry=self.retry,
            retryable=lambda answer: self._error(answer).retryable,
        )
        if not resp.ok:
            raise locate_error(
                self._error(resp),
                method=method,
                url=url,
                body=resp.content,
                base_url=self.base_url,
                advise=self.advise,
            )
        return resp

    def _error(self, resp: HttpResponse) -> ProviderError:
        return self.decode_error(
            resp.status,
            resp.content,
            provider=self.provider,
            request_id=resp.request_id,
            retry_after=resp.retry_after,
        )


def _origin(url: str) -> tuple[str, str, int | None]:
    u = httpx.URL(url)
    return u.scheme, u.host, u.port


def with_warnings(
    response: ProviderResponse, warnings: list[ProviderRuntimeWarning]
) -> ProviderResponse:
    """The response with the encoder's warnings in front of the decoder's."""
    if not warnings:
        return response
    return msgspec.structs.replace(response, warnings=[*warnings, *response.warnings])
