"""Bounded measurement loops: N calls with K in flight, stopped by count or by time.

Each call's latency is taken with ``perf_counter_ns``; throughput is completed calls over the
wall time of the whole phase. A call that hangs cannot hold a phase past its time bound plus a
grace period: the phase is cancelled and reported as truncated.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class Phase:
    inflight: int
    calls: int  # completed without error
    errors: int
    seconds: float
    p50_ms: float | None
    p99_ms: float | None
    mean_ms: float | None
    calls_per_second: float | None
    truncated: bool  # stopped by the time bound before ``requested`` calls
    requested: int
    first_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (``q`` in (0, 1])."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


async def run_phase(
    call: Callable[[], Awaitable[object]],
    *,
    inflight: int,
    calls: int,
    max_seconds: float,
) -> Phase:
    """Issue ``calls`` calls from ``inflight`` concurrent lanes, or as many as fit in time."""
    latencies: list[float] = []
    errors: list[str] = []
    issued = 0
    deadline = time.perf_counter() + max_seconds

    async def lane() -> None:
        nonlocal issued
        while issued < calls and time.perf_counter() < deadline:
            issued += 1
            started = time.perf_counter_ns()
            try:
                await call()
            except Exception as exc:  # a failed call is counted, never fatal to the run
                errors.append(f"{type(exc).__name__}: {exc}"[:500])
                continue
            latencies.append((time.perf_counter_ns() - started) / 1e6)

    started = time.perf_counter()
    lanes = [asyncio.ensure_future(lane()) for _ in range(max(1, min(inflight, calls)))]
    _, pending = await asyncio.wait(lanes, timeout=max_seconds + _GRACE_SECONDS)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=5)
    seconds = time.perf_counter() - started
    return _summarize(latencies, errors, inflight, calls, seconds, truncated=bool(pending))


async def run_paired(
    calls: dict[str, Callable[[], Awaitable[object]]],
    *,
    each: int,
    max_seconds: float,
    block: int = 1,
) -> dict[str, Phase]:
    """``block`` calls of each client in turn (the order rotating) until each made ``each``:
    every client sees the same stretches of the machine's load, so their ratios hold even when
    the absolute figures move. With ``block`` 1 every call finds its process's caches cold (the
    other clients ran in between), which is not how a harness calls one provider after another;
    blocks of a few tens keep the interleaving at a scale of milliseconds and each client warm.
    Bounded by ``max_seconds`` (plus the grace period for a call that hangs)."""
    names = list(calls)
    latencies: dict[str, list[float]] = {name: [] for name in names}
    errors: dict[str, list[str]] = {name: [] for name in names}
    block = max(1, block)

    async def turns() -> None:
        deadline = time.perf_counter() + max_seconds
        for i in range(-(-each // block)):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                for _ in range(min(block, each - i * block)):
                    if time.perf_counter() >= deadline:
                        return
                    started = time.perf_counter_ns()
                    try:
                        await calls[name]()
                    except Exception as exc:
                        errors[name].append(f"{type(exc).__name__}: {exc}"[:500])
                        continue
                    latencies[name].append((time.perf_counter_ns() - started) / 1e6)

    started = time.perf_counter()
    task = asyncio.ensure_future(turns())
    _, pending = await asyncio.wait([task], timeout=max_seconds + _GRACE_SECONDS)
    for t in pending:
        t.cancel()
    seconds = time.perf_counter() - started
    return {
        name: _summarize(latencies[name], errors[name], 1, each, seconds, truncated=bool(pending))
        for name in names
    }


def _summarize(
    latencies: list[float],
    errors: list[str],
    inflight: int,
    requested: int,
    seconds: float,
    *,
    truncated: bool,
) -> Phase:
    ordered = sorted(latencies)
    n = len(ordered)
    return Phase(
        inflight=inflight,
        calls=n,
        errors=len(errors),
        seconds=round(seconds, 4),
        p50_ms=round(percentile(ordered, 0.50), 4) if n else None,
        p99_ms=round(percentile(ordered, 0.99), 4) if n else None,
        mean_ms=round(sum(ordered) / n, 4) if n else None,
        calls_per_second=round(n / seconds, 1) if n and seconds > 0 else None,
        truncated=truncated or n + len(errors) < requested,
        requested=requested,
        first_error=errors[0] if errors else None,
    )
