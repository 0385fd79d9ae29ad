"""The daemon's connection pools (transport/pool.py) against loopback servers: reuse, bounds,
per-origin separation, and the count of calls in flight surviving failures."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from provider_runtime.transport.http import HttpTransport
from provider_runtime.transport.pool import ShardedPool
from tests.loopback_provider import Exchange, closed_port, loopback_provider, reply


def held(release: asyncio.Event, in_flight: list[int], full: asyncio.Event, at: int) -> Any:
    """An action that answers only once ``release`` is set, counting the calls it holds
    (``in_flight``: now, most at once) and setting ``full`` when it holds ``at`` of them."""
    answer = reply(200, {"ok": True})

    async def action(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        in_flight[0] += 1
        in_flight[1] = max(in_flight[1], in_flight[0])
        if in_flight[0] >= at:
            full.set()
        await release.wait()
        in_flight[0] -= 1
        return bool(await answer(ex, r, w))

    return action


async def call(pool: ShardedPool, url: str) -> int:
    response = await pool.handle_async_request(httpx.Request("GET", url))
    try:
        await response.aread()
    finally:
        await response.aclose()
    return response.status_code


async def test_one_call_at_a_time_keeps_one_connection_after_a_burst() -> None:
    pool = ShardedPool(shard_size=2, max_shards=4)
    release, full, in_flight = asyncio.Event(), asyncio.Event(), [0, 0]
    async with loopback_provider(default=held(release, in_flight, full, 8)) as server:
        burst = [asyncio.ensure_future(call(pool, f"{server.url}/a")) for _ in range(8)]
        await asyncio.wait_for(full.wait(), 10)
        release.set()
        assert await asyncio.gather(*burst) == [200] * 8
        assert server.connections == 8  # 4 pools of 2: every call had its own connection
        for _ in range(20):
            assert await call(pool, f"{server.url}/b") == 200
        seen = server.connections
        assert seen == 8  # sequential calls reuse a kept-alive connection: none opened
    await pool.aclose()


async def test_calls_beyond_the_bound_wait_for_a_connection() -> None:
    pool = ShardedPool(shard_size=2, max_shards=2)  # 4 connections at most
    release, full, in_flight = asyncio.Event(), asyncio.Event(), [0, 0]
    async with loopback_provider(default=held(release, in_flight, full, 4)) as server:
        calls = [asyncio.ensure_future(call(pool, f"{server.url}/a")) for _ in range(10)]
        await asyncio.wait_for(full.wait(), 10)
        await asyncio.sleep(0.1)  # room for a fifth call to arrive, were the bound not kept
        release.set()
        assert await asyncio.gather(*calls) == [200] * 10
        assert in_flight[1] == 4 and server.connections == 4
    await pool.aclose()


async def test_each_origin_has_its_own_pools() -> None:
    """Alternating between two providers one call at a time never closes the other's idle
    connection (one pool of 1 connection per origin would otherwise reconnect every time)."""
    pool = ShardedPool(shard_size=1, max_shards=1)
    async with loopback_provider() as first, loopback_provider() as second:
        for _ in range(10):
            assert await call(pool, f"{first.url}/x") == 200
            assert await call(pool, f"{second.url}/x") == 200
        assert (first.connections, second.connections) == (1, 1)
    await pool.aclose()


async def test_a_closed_pool_refuses_calls() -> None:
    pool = ShardedPool()
    await pool.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await call(pool, "http://127.0.0.1:1/x")


async def test_a_failed_call_frees_its_place() -> None:
    pool = ShardedPool(shard_size=1, max_shards=1)
    with pytest.raises(httpx.ConnectError):
        await call(pool, f"http://127.0.0.1:{closed_port()}/x")
    async with loopback_provider() as server:
        for _ in range(3):  # the origin's only pool is not counted busy forever
            assert await call(pool, f"{server.url}/x") == 200
    await pool.aclose()


async def test_the_transport_sends_through_a_sharded_pool() -> None:
    """(That it is the default without a proxy is tests/test_transport.py's.)"""
    pool = ShardedPool(shard_size=2, max_shards=4)
    transport = HttpTransport(pool=pool)
    async with loopback_provider() as server:
        answer = await transport.request("POST", f"{server.url}/v1/x", provider="p", content=b"{}")
    await transport.aclose()
    assert answer.status == 200 and server.exchanges[0].body == b"{}"
