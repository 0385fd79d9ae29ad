"""Rate-limit headers -> the canonical ``RateLimit`` snapshot; pure, and never raises.

One parser per header family (protocol.md §6 lists the names each provider documents):
OpenAI's ``x-ratelimit-*`` (resets as Go-style durations, ``6m0s``, ``20ms``), Anthropic's
``anthropic-ratelimit-*`` (resets as RFC 3339 times) and OpenRouter's ``X-RateLimit-*`` (only
on its own 429s; reset as an epoch time). Times are turned into seconds against the answer's
own ``Date`` header, never the local clock, so the same headers always give the same snapshot.
A value that is absent or unreadable is None; a part with no readable value is None; a snapshot
with no part is None.
"""

from __future__ import annotations

import email.utils
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime

from ..core.types import RateLimit, RateLimitWindow

__all__ = [
    "RateLimitParser",
    "parse_anthropic_rate_limit",
    "parse_duration_seconds",
    "parse_openai_rate_limit",
    "parse_openrouter_rate_limit",
]

RateLimitParser = Callable[[Mapping[str, str]], RateLimit | None]

_PARTS = ("requests", "tokens", "input_tokens", "output_tokens")
_INTEGER = re.compile(r"\d{1,30}")
_NUMBER = re.compile(r"\d{1,30}(?:\.\d{1,30})?")
# Go's time.Duration text: one or more <number><unit>, "ms" and "us" tried before "m" and "s".
_DURATION_PART = re.compile(r"(\d{1,30}(?:\.\d{1,30})?)(ns|us|µs|ms|h|m|s)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_EPOCH_MS_ABOVE = 10**12  # OpenRouter's reset: epoch milliseconds (seen), else seconds
_EPOCH_S_ABOVE = 10**9


def parse_openai_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """``x-ratelimit-{limit,remaining,reset}-{requests,tokens}``; resets are durations.

    Also read for OpenAI-compatible servers, several of which send the same headers.
    """
    h = _lowered(headers)

    def window(unit: str) -> RateLimitWindow | None:
        return _window(
            _count(h.get(f"x-ratelimit-limit-{unit}")),
            _count(h.get(f"x-ratelimit-remaining-{unit}")),
            parse_duration_seconds(h.get(f"x-ratelimit-reset-{unit}")),
        )

    return _snapshot(requests=window("requests"), tokens=window("tokens"))


def parse_anthropic_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """``anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,
    reset}``; resets are RFC 3339 times, counted from the answer's ``Date``."""
    h = _lowered(headers)
    now = _http_date(h.get("date"))

    def window(unit: str) -> RateLimitWindow | None:
        prefix = f"anthropic-ratelimit-{unit}"
        return _window(
            _count(h.get(f"{prefix}-limit")),
            _count(h.get(f"{prefix}-remaining")),
            _seconds_until(_rfc3339(h.get(f"{prefix}-reset")), now),
        )

    return _snapshot(
        requests=window("requests"),
        tokens=window("tokens"),
        input_tokens=window("input-tokens"),
        output_tokens=window("output-tokens"),
    )


def parse_openrouter_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """``X-RateLimit-{Limit,Remaining,Reset}`` (OpenRouter's own 429s only), read as the
    ``requests`` part: its documented limits count requests. The reset is an epoch time
    (milliseconds above 10^12, else seconds above 10^9; anything smaller is not read)."""
    h = _lowered(headers)
    return _snapshot(
        requests=_window(
            _count(h.get("x-ratelimit-limit")),
            _count(h.get("x-ratelimit-remaining")),
            _seconds_until(_epoch(h.get("x-ratelimit-reset")), _http_date(h.get("date"))),
        )
    )


def parse_duration_seconds(text: str | None) -> float | None:
    """Seconds in a Go-style duration (``6m0s``, ``1.5s``, ``20ms``, ``1h2m``) or a plain
    number of seconds; None for anything else."""
    if text is None:
        return None
    text = text.strip()
    if _NUMBER.fullmatch(text):
        return _finite(float(text))
    total, pos = 0.0, 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    return _finite(total) if pos == len(text) and pos > 0 else None


# --------------------------------------------------------------------------- helpers


def _lowered(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _snapshot(**parts: RateLimitWindow | None) -> RateLimit | None:
    if all(parts.get(p) is None for p in _PARTS):
        return None
    return RateLimit(**parts)


def _window(
    limit: int | None, remaining: int | None, reset_seconds: float | None
) -> RateLimitWindow | None:
    if limit is None and remaining is None and reset_seconds is None:
        return None
    return RateLimitWindow(limit=limit, remaining=remaining, reset_seconds=reset_seconds)


def _count(text: str | None) -> int | None:
    if text is None or not _INTEGER.fullmatch(text.strip()):
        return None
    return int(text.strip())


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _http_date(text: str | None) -> datetime | None:
    """The ``Date`` header (RFC 9110 IMF-fixdate), timezone-aware, or None."""
    if text is None:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else None


def _rfc3339(text: str | None) -> datetime | None:
    """An RFC 3339 date-time with its offset (``2026-09-27T12:05:00Z``), or None."""
    if text is None or "T" not in text.upper():
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except (ValueError, OverflowError):
        return None
    return when if when.tzinfo is not None else None


def _epoch(text: str | None) -> float | None:
    """An epoch time in seconds from milliseconds or seconds, or None."""
    value = _count(text)
    if value is None or value <= _EPOCH_S_ABOVE:
        return None
    return value / 1000 if value > _EPOCH_MS_ABOVE else float(value)


def _seconds_until(when: datetime | float | None, now: datetime | None) -> float | None:
    """Seconds from ``now`` to ``when`` (a datetime or epoch seconds), at least 0."""
    if when is None or now is None:
        return None
    try:
        target = when.timestamp() if isinstance(when, datetime) else when
        return _finite(max(0.0, target - now.timestamp()))
    except (OverflowError, ValueError, OSError):
        return None
