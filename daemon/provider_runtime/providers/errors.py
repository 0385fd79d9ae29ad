"""Error decoding every adapter shares: the HTTP status table, readable body excerpts, and where
a request went when the answer suggests a wrong address (404/405, or a page that is not JSON)."""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec

from ..core.errors import ErrorKind, ProviderError
from ..transport.http import redact_url

__all__ = [
    "STATUS_KINDS",
    "BaseUrlAdvice",
    "advise_anthropic_base_url",
    "advise_openai_base_url",
    "body_excerpt",
    "locate_error",
    "status_kind",
]

# What to say about a provider's configured base URL when the address looks wrong.
BaseUrlAdvice = Callable[[str, str], str]  # (provider id, base URL) -> advice

# HTTP status -> kind, used when the body names no more precise provider error type.
STATUS_KINDS: dict[int, ErrorKind] = {
    400: ErrorKind.INVALID_REQUEST,
    401: ErrorKind.AUTHENTICATION,
    402: ErrorKind.PAYMENT_REQUIRED,
    403: ErrorKind.PERMISSION,
    404: ErrorKind.NOT_FOUND,
    408: ErrorKind.TIMEOUT,
    409: ErrorKind.SERVER,  # a conflicting concurrent operation: retried like a server error
    413: ErrorKind.REQUEST_TOO_LARGE,
    422: ErrorKind.INVALID_REQUEST,
    429: ErrorKind.RATE_LIMITED,
    500: ErrorKind.SERVER,
    502: ErrorKind.SERVER,
    503: ErrorKind.SERVER,
    504: ErrorKind.SERVER,
    524: ErrorKind.TIMEOUT,  # Cloudflare: the origin took too long
    529: ErrorKind.OVERLOADED,
}

_EXCERPT_CHARS = 200


def status_kind(status: int) -> ErrorKind:
    if status in STATUS_KINDS:
        return STATUS_KINDS[status]
    if 400 <= status < 500:
        return ErrorKind.INVALID_REQUEST
    if status >= 500:
        return ErrorKind.SERVER
    return ErrorKind.PROTOCOL


def body_excerpt(body: bytes, limit: int = _EXCERPT_CHARS) -> str:
    """A short, single-line quote of a body; HTML tags are removed so the text is readable."""
    text = body.decode("utf-8", errors="replace")
    if text.lstrip().startswith("<"):
        text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Statuses that say the address is wrong rather than the request: no such path, or a path that
# does not take this method (a base URL ending in `/chat/completions` gets `.../chat/completions
# /chat/completions`; some servers answer that with 405).
_ADDRESS_STATUSES = (404, 405)
_VERSION_SEGMENT = re.compile(r"/v\d+[a-z0-9]*(?:/|$)")


def locate_error(
    error: ProviderError,
    *,
    method: str,
    url: str,
    body: bytes,
    base_url: str,
    advise: BaseUrlAdvice,
) -> ProviderError:
    """``error`` with the request's method and URL (never its query) and, for a 404/405 that
    is not about the model, advice on ``base_url``; unchanged for other JSON error bodies."""
    address = error.status in _ADDRESS_STATUSES
    if not address and _is_json(body):
        return error
    message = f"{error.message}; requested {method} {redact_url(url)}"
    if address and not _names_a_model(error):
        message += f"; {advise(error.provider or '', base_url)}"
    return ProviderError(
        error.kind,
        message,
        provider=error.provider,
        status=error.status,
        provider_code=error.provider_code,
        request_id=error.request_id,
        retry_after=error.retry_after,
        retryable=error.retryable,
    )


def _is_json(body: bytes) -> bool:
    try:
        msgspec.json.decode(body)
    except msgspec.DecodeError:
        return False
    return True


def _names_a_model(error: ProviderError) -> bool:
    """A 404 the provider explains as an unknown model: the address was right."""
    return error.provider_code == "model_not_found" or (
        error.kind is ErrorKind.NOT_FOUND and "model" in error.message.lower()
    )


def _key(provider: str) -> str:
    return f"`providers.{provider}.base_url`" if provider else "`base_url`"


def advise_anthropic_base_url(provider: str, base_url: str) -> str:
    """Anthropic's paths start with `/v1/`, so its base URL has no version segment."""
    trimmed = base_url.rstrip("/")
    if trimmed.endswith("/v1"):
        return (
            f"{_key(provider)} ends in `/v1`, which the runtime adds itself (`/v1/messages`): "
            f"set it to `{redact_url(trimmed[:-3])}`"
        )
    return (
        f"check {_key(provider)} (now `{redact_url(trimmed)}`): Anthropic's base URL has no "
        "`/v1` (the default is `https://api.anthropic.com`)"
    )


def advise_openai_base_url(provider: str, base_url: str) -> str:
    """OpenAI-style paths (`/chat/completions`, `/models`) follow a base URL holding `/v1`."""
    trimmed = base_url.rstrip("/")
    shown = redact_url(trimmed)
    for suffix in ("/chat/completions", "/completions"):
        if trimmed.endswith(suffix):
            return (
                f"{_key(provider)} ends in `{suffix}`, which the runtime adds itself: "
                f"set it to `{redact_url(trimmed[: -len(suffix)])}`"
            )
    if not _VERSION_SEGMENT.search(redact_url(trimmed + "/")):
        return (
            f"{_key(provider)} (now `{shown}`) has no version segment: OpenAI's base URL ends "
            f"in `/v1` and most compatible servers' do too, e.g. `{shown}/v1`"
        )
    return (
        f"check {_key(provider)} (now `{shown}`): it is the part before `/chat/completions` "
        "(OpenAI's is `https://api.openai.com/v1`)"
    )
