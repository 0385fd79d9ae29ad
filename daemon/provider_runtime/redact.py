"""What counts as secret when something is shown: URL user info and query, credential headers.

Standard library only, so the config and the daemon's first answer can use it without httpx.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["MASK", "SECRET_HEADER_WORDS", "is_secret_header", "redact_url"]

MASK = "********"
# Header names containing one of these words carry credentials; their values are never shown.
SECRET_HEADER_WORDS = ("auth", "key", "token", "secret", "cookie", "session")


def is_secret_header(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_HEADER_WORDS)


def redact_url(url: str) -> str:
    """The URL without user info, query or fragment (each could hold a credential)."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<unparseable URL>"
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
