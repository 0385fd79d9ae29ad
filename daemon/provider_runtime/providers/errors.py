"""Error decoding every adapter shares: the HTTP status table and readable body excerpts."""

from __future__ import annotations

import re

from ..core.errors import ErrorKind

__all__ = ["STATUS_KINDS", "body_excerpt", "status_kind"]

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
