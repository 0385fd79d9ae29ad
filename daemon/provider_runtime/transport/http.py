"""Shared HTTP transport: httpx connection pools per origin (``pool.py``), retries with backoff,
deadlines.

This is the one place httpx exceptions become ``ProviderError`` kinds (``map_httpx_error``).
Credentials travel only in request headers, which are never logged nor put in messages; a
response body that quotes one back has it masked before anything reads the body.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import httpx

from .. import __version__
from ..core.errors import ErrorKind, ProviderError
from ..redact import is_secret_header
from ..redact import redact_url as _redact_url
from .pool import new_sender
from .retry import RetryPolicy, parse_retry_after

__all__ = [
    "HttpResponse",
    "HttpTransport",
    "RetryPolicy",
    "map_httpx_error",
    "parse_retry_after",
    "redact_url",
]

log = logging.getLogger("provider_runtime.transport")

_REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-amzn-requestid",  # AWS (Bedrock)
    "x-openrouter-request-id",
    "cf-ray",
)
_MIN_SECRET_CHARS = 8  # shorter values could match ordinary text; no real key is that short
_MASK = b"********"


def redact_url(url: str | httpx.URL) -> str:
    """The URL without query string or user info (either could hold a credential)."""
    return _redact_url(str(url))


class _RedactUrls(logging.Filter):
    """httpx logs every request's full URL at INFO; strip its query and user info first."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(a) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_RedactUrls())


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A finished HTTP exchange, body fully read."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    url: str
    attempts: int = 1

    @property
    def request_id(self) -> str | None:
        for name in _REQUEST_ID_HEADERS:
            value = self.headers.get(name)
            if value:
                return value
        return None

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


# Every httpx exception class, most specific first. ``tests/test_transport.py`` checks that
# each exception class httpx exports is covered by an entry here.
_EXCEPTION_KINDS: tuple[tuple[type[Exception], ErrorKind, bool, str], ...] = (
    (httpx.ConnectTimeout, ErrorKind.TIMEOUT, True, "timed out connecting"),
    (httpx.ReadTimeout, ErrorKind.TIMEOUT, True, "timed out waiting for the response"),
    (httpx.WriteTimeout, ErrorKind.TIMEOUT, True, "timed out sending the request"),
    (httpx.PoolTimeout, ErrorKind.TIMEOUT, True, "timed out waiting for a free connection"),
    (httpx.TimeoutException, ErrorKind.TIMEOUT, True, "timed out"),
    (httpx.ConnectError, ErrorKind.TRANSPORT, True, "could not connect"),
    (httpx.ReadError, ErrorKind.TRANSPORT, True, "connection failed while reading"),
    (httpx.WriteError, ErrorKind.TRANSPORT, True, "connection failed while writing"),
    (httpx.CloseError, ErrorKind.TRANSPORT, True, "connection failed while closing"),
    (httpx.NetworkError, ErrorKind.TRANSPORT, True, "network error"),
    (httpx.ProxyError, ErrorKind.TRANSPORT, False, "proxy error"),
    (httpx.UnsupportedProtocol, ErrorKind.TRANSPORT, False, "unsupported URL scheme"),
    (httpx.RemoteProtocolError, ErrorKind.TRANSPORT, True, "the server broke the HTTP protocol"),
    (httpx.LocalProtocolError, ErrorKind.PROTOCOL, False, "invalid HTTP request"),
    (httpx.ProtocolError, ErrorKind.TRANSPORT, False, "HTTP protocol error"),
    (httpx.TransportError, ErrorKind.TRANSPORT, False, "transport error"),
    (httpx.DecodingError, ErrorKind.PROTOCOL, False, "could not decode the response body"),
    (httpx.TooManyRedirects, ErrorKind.PROTOCOL, False, "too many redirects"),
    (httpx.RequestError, ErrorKind.TRANSPORT, False, "request failed"),
    (httpx.HTTPStatusError, ErrorKind.PROTOCOL, False, "unexpected HTTP status"),
    (httpx.HTTPError, ErrorKind.TRANSPORT, False, "HTTP error"),
    (httpx.InvalidURL, ErrorKind.INVALID_REQUEST, False, "invalid URL"),
    (httpx.CookieConflict, ErrorKind.INTERNAL, False, "cookie conflict"),
    (httpx.StreamError, ErrorKind.INTERNAL, False, "HTTP stream misuse"),
)


# What httpx raises on purpose; anything else is a bug of ours and must surface as one.
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)


def map_httpx_error(exc: Exception, *, provider: str | None, url: str | None) -> ProviderError:
    """Turn an httpx exception into a ``ProviderError``; the message names no header or query."""
    where = f" ({redact_url(url)})" if url else ""
    for cls, kind, retryable, text in _EXCEPTION_KINDS:
        if isinstance(exc, cls):
            return ProviderError(
                kind, f"{text}{where}: {type(exc).__name__}", provider=provider, retryable=retryable
            )
    return ProviderError(
        ErrorKind.TRANSPORT, f"request failed{where}: {type(exc).__name__}", provider=provider
    )


# Sent with every request, under the call's own headers (httpx decodes these encodings).
DEFAULT_HEADERS = {
    "accept": "*/*",
    "accept-encoding": "gzip, deflate",
    "user-agent": f"provider-runtime/{__version__}",
}


@dataclass(slots=True)
class HttpTransport:
    """Sends requests over one shared connection pool; retries per ``RetryPolicy``.

    Requests go straight to the pool (``pool``: an httpx transport) unless the environment names
    a proxy, or a ``client`` is given: then through that httpx client, which applies
    ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` (``new_sender``). The client's
    own layers (auth flow, redirects, cookie jar, event hooks) serve nothing here, every call
    being stateless, and cost about a fifth of the HTTP path's CPU (benchmarks/README.md).
    ``sleep``, ``clock`` and ``rand`` are injectable so retry timing is exact in tests.
    A final non-2xx answer is raised as the error the caller's classifier made of it (decoding an
    error body is the provider's job), or returned when no classifier is given.
    """

    client: httpx.AsyncClient | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic
    rand: Callable[[], float] = random.random
    pool: httpx.AsyncBaseTransport | None = None

    def __post_init__(self) -> None:
        if self.client is None and self.pool is None:
            self.client, self.pool = new_sender()

    async def request(
        self,
        method: str,
        url: str,
        *,
        provider: str,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - per-attempt, combined with the deadline
        retry: RetryPolicy | None = None,
        classify: Callable[[HttpResponse], ProviderError] | None = None,
    ) -> HttpResponse:
        """One exchange with retries.

        With ``classify`` (the provider's error classifier), a non-2xx answer becomes its
        ``ProviderError`` once: the error's ``retryable`` may veto retrying an answer whose status
        alone would be retried (a 429 saying the account is out of quota), and the error is
        raised when the answer is final. Without it, the final answer is returned as is.
        """
        policy = retry or RetryPolicy()
        started = self.clock()
        attempt = 0
        while True:
            remaining = (
                None if policy.deadline is None else policy.deadline - (self.clock() - started)
            )
            try:
                resp, body = await self._attempt(
                    method, url, headers, content, _attempt_timeout(policy, timeout, remaining)
                )
            except TimeoutError:  # the whole exchange outlived the deadline (a slow drip)
                raise _deadline_error(policy, provider, url) from None
            except _HTTPX_ERRORS as exc:
                error = map_httpx_error(exc, provider=provider, url=url)
                if not error.retryable:
                    raise error from None
                delay = policy.backoff(attempt, self.rand())
                if not self._may_retry(policy, attempt, started, delay):
                    raise error from None
                log.debug(
                    "%s %s failed (%s); retry in %.2fs", method, redact_url(url), error.kind, delay
                )
            else:
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("%s %s -> %d", method, redact_url(url), resp.status_code)
                body = _mask_credentials(body, headers, provider)
                result = HttpResponse(resp.status_code, resp.headers, body, url, attempt + 1)
                if result.ok:
                    return result
                refused = classify(result) if classify is not None else None
                wait = self._retry_wait(policy, attempt, started, result, refused)
                if wait is None:
                    if refused is not None:
                        raise refused
                    return result
                delay = wait
                log.debug(
                    "%s %s -> %d; retry in %.2fs", method, redact_url(url), resp.status_code, delay
                )
            await self.sleep(delay)
            attempt += 1

    async def _attempt(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        content: bytes | None,
        limits: tuple[httpx.Timeout, float | None],
    ) -> tuple[httpx.Response, bytes]:
        """One exchange, body read: httpx's timeouts bound each step, the deadline the whole."""
        per_step, overall = limits
        request = httpx.Request(
            method,
            _parsed_url(url),
            headers=self._headers(headers),
            content=content,
            extensions={"timeout": per_step.as_dict()},
        )
        async with asyncio.timeout(overall):
            if self.pool is None:
                assert self.client is not None
                resp = await self.client.send(request)
                return resp, resp.content
            resp = await self.pool.handle_async_request(request)
            try:
                return resp, await resp.aread()
            finally:
                await resp.aclose()

    @staticmethod
    def _headers(headers: Mapping[str, str] | None) -> dict[str, str]:
        """``DEFAULT_HEADERS`` under the call's own (names lowercased: one of each is sent).

        The request is built here, not by ``client.request``, which would also merge a base URL
        (there is none) and the client's cookie jar (never sent back: every call is stateless).
        """
        if not headers:
            return DEFAULT_HEADERS
        return {**DEFAULT_HEADERS, **{k.lower(): v for k, v in headers.items()}}

    def _retry_wait(
        self,
        policy: RetryPolicy,
        attempt: int,
        started: float,
        result: HttpResponse,
        error: ProviderError | None,
    ) -> float | None:
        """Seconds to wait before retrying this non-2xx answer; None: it is final."""
        if not policy.should_retry_status(result.status):
            return None
        if error is not None and not error.retryable:
            return None
        wait = self._delay_for(policy, attempt, result)
        if wait is None or not self._may_retry(policy, attempt, started, wait):
            return None
        return wait

    def _delay_for(self, policy: RetryPolicy, attempt: int, resp: HttpResponse) -> float | None:
        asked = resp.retry_after
        if asked is None:
            return policy.backoff(attempt, self.rand())
        if asked > policy.max_retry_after:
            return None  # the server wants a longer pause than we allow: report it instead
        return asked

    def _may_retry(self, policy: RetryPolicy, attempt: int, started: float, delay: float) -> bool:
        if attempt >= policy.max_retries:
            return False
        if policy.deadline is None:
            return True
        return (self.clock() - started) + delay < policy.deadline

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        if self.pool is not None:
            await self.pool.aclose()


@functools.lru_cache(maxsize=512)
def _parsed_url(url: str) -> httpx.URL:
    """``url`` parsed once: a provider calls the same few URLs again and again, and httpx's
    parser (an IP-address check included) costs about a tenth of the runtime's own CPU per call.
    httpx.URL is immutable, so one parsed URL serves every request to it."""
    return httpx.URL(url)


def _attempt_timeout(
    policy: RetryPolicy, timeout: float | None, remaining: float | None
) -> tuple[httpx.Timeout, float | None]:
    """httpx's per-step timeouts for one attempt, and the time the whole attempt may take."""
    per_try = _min_timeout(timeout, remaining)
    connect = _min_timeout(policy.connect_timeout, per_try) if policy.connect_timeout else per_try
    overall = None if remaining is None else max(remaining, 0.001)
    return httpx.Timeout(per_try, connect=connect), overall


def _deadline_error(policy: RetryPolicy, provider: str, url: str) -> ProviderError:
    return ProviderError(
        ErrorKind.TIMEOUT,
        f"no complete response within the deadline of {policy.deadline:g}s ({redact_url(url)})",
        provider=provider,
        retryable=True,
    )


def _mask_credentials(body: bytes, headers: Mapping[str, str] | None, provider: str) -> bytes:
    """The body with every credential we sent replaced by ``********``: some servers quote the
    request's headers in their error pages, and error messages and warnings quote bodies."""
    for name, value in (headers or {}).items():
        if not is_secret_header(name):
            continue
        for secret in {value, value.partition(" ")[2]}:  # "Bearer KEY": the key alone too
            raw = secret.strip().encode()
            if len(raw) >= _MIN_SECRET_CHARS and raw in body:
                log.warning("%s quoted a credential in its response; masked", provider)
                body = body.replace(raw, _MASK)
    return body


def _min_timeout(a: float | None, b: float | None) -> float | None:
    if a is None:
        return None if b is None else max(b, 0.001)
    return a if b is None else max(min(a, b), 0.001)
