"""Daemon memory: resident set size after start, after the first 100 calls, after N calls.

The runtime is stateless, so RSS after N calls should sit within a few percent of RSS after
100 (by then pools, caches and lazily imported modules are in place).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from . import bodies
from .drivers import daemon_argv
from .measure import run_phase
from .stdio_client import DaemonClient, read_rss_kib


async def daemon_memory(
    options: dict[str, Any],
    env: dict[str, str],
    *,
    total_calls: int,
    inflight: int,
    max_seconds: float,
) -> dict[str, Any]:
    client = await DaemonClient.spawn(daemon_argv(options), env=env)
    try:
        await asyncio.wait_for(client.request("initialize", b"{}"), 30)
        after_start = read_rss_kib(client.pid)
        # Every API in turn: the product with each built-in HTTP provider in use.
        params = itertools.cycle(
            [json.dumps(bodies.canonical_request(a)).encode() for a in bodies.APIS]
        )

        async def call() -> None:
            await client.request("runtime/run", next(params))

        first = min(100, total_calls)
        warm = await run_phase(call, inflight=inflight, calls=first, max_seconds=max_seconds)
        after_first = read_rss_kib(client.pid)
        rest = await run_phase(
            call, inflight=inflight, calls=total_calls - first, max_seconds=max_seconds
        )
        after_all = read_rss_kib(client.pid)
    finally:
        code = await client.close()
    done = warm.calls + rest.calls
    growth = None
    if after_first and after_all:
        growth = round((after_all - after_first) / after_first * 100, 2)
    return {
        "inflight": inflight,
        "calls": done,
        "errors": warm.errors + rest.errors,
        "first_calls": warm.calls + warm.errors,
        "rss_kib_after_start": after_start,
        "rss_kib_after_first": after_first,
        "rss_kib_after_all": after_all,
        "growth_percent_after_first": growth,
        "exit_code": code,
        "truncated": warm.truncated or rest.truncated,
    }
