"""When and how long to wait before trying a failed request again (pure: no I/O, no clock
but the one given)."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["RetryPolicy", "parse_retry_after"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before trying a failed request again.

    Retries 408, 409, 429, every 5xx and 529, and connect/read failures; never other 4xx.
    Attempt ``n`` (0-based) waits ``initial_backoff * multiplier**n`` capped at ``max_backoff``,
    scaled by a jitter factor in ``[1 - jitter, 1]``, unless the server said how long to wait
    (``retry-after-ms`` / ``Retry-After``), which is honoured up to ``max_retry_after``. A wait
    that would end past ``deadline`` (seconds since the first attempt) is not taken, and no
    attempt runs past it, however slowly the server sends. ``connect_timeout`` bounds opening a
    connection, within the attempt's own timeout (None: that timeout alone).
    """

    max_retries: int = 2
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    multiplier: float = 2.0
    jitter: float = 0.25
    max_retry_after: float = 60.0
    deadline: float | None = 600.0
    connect_timeout: float | None = 10.0

    def should_retry_status(self, status: int) -> bool:
        return status in (408, 409, 429) or status >= 500

    def backoff(self, attempt: int, rand: float) -> float:
        """Delay before retry number ``attempt + 1``; ``rand`` is uniform in [0, 1)."""
        base = min(self.max_backoff, self.initial_backoff * self.multiplier**attempt)
        return base * (1.0 - self.jitter * rand)


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms``, then ``Retry-After``.

    ``Retry-After`` may be a number of seconds or an HTTP date. Unparseable or negative
    values give None.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms is not None:
        try:
            ms = float(raw_ms)
        except ValueError:
            ms = -1.0
        if ms >= 0:
            return ms / 1000.0
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
        return max(0.0, seconds)
    return seconds if seconds >= 0 else None
