"""Connections for the daemon: per origin, several small httpx pools instead of one big one, and
what a transport sends through (``new_sender``: those pools, or an httpx client under a proxy).

httpcore's pool walks every connection it holds for each request it assigns and each it
releases (``AsyncConnectionPool._assign_requests_to_connections``), so its cost per call grows
with the connections it holds, idle ones included: after a burst of 64 calls, each later call
pays for 64 connections. Small pools keep that walk short. A call goes to the least busy pool of
its origin; a new pool opens only when every pool of the origin is full, up to a bound, so one
call at a time always reuses the same warm connection. Each origin has its own pools, so calls
to one provider never close another provider's idle connections. One TLS context serves all
(creating one costs tens of milliseconds). Measured in benchmarks/README.md.
"""

from __future__ import annotations

import ssl
import urllib.request
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx

__all__ = ["ShardedPool", "new_client", "new_pool", "new_sender"]

_Origin = tuple[bytes, bytes, int | None]


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body; closing it frees its call's place in its pool's count."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._release is not None:
                self._release()
                self._release = None


@dataclass
class _Shards:
    """The pools of one origin and the calls in flight on each."""

    pools: list[httpx.AsyncHTTPTransport] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)


class ShardedPool(httpx.AsyncBaseTransport):
    """Per origin, up to ``max_shards`` pools of ``shard_size`` connections each.

    At most ``shard_size * max_shards`` connections per origin (64 by default, as one pool of
    64 would allow); further calls wait in the least busy pool for a free connection.
    """

    def __init__(
        self,
        *,
        verify: bool | ssl.SSLContext = True,
        shard_size: int = 4,
        max_shards: int = 16,
        keepalive_expiry: float = 5.0,
    ) -> None:
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._limits = httpx.Limits(
            max_connections=shard_size,
            max_keepalive_connections=shard_size,
            keepalive_expiry=keepalive_expiry,
        )
        self._size = shard_size
        self._max_shards = max_shards
        self._origins: dict[_Origin, _Shards] = {}
        self.is_closed = False

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            verify = self._verify
            self._ssl = (
                verify
                if isinstance(verify, ssl.SSLContext)
                else httpx.create_ssl_context(verify=verify)
            )
        return self._ssl

    def _pick(self, url: httpx.URL) -> tuple[_Shards, int]:
        origin = (url.raw_scheme, url.raw_host, url.port)
        shards = self._origins.get(origin)
        if shards is None:
            shards = self._origins[origin] = _Shards()
        busy = shards.busy
        best = min(range(len(busy)), key=busy.__getitem__) if busy else -1
        if (best < 0 or busy[best] >= self._size) and len(busy) < self._max_shards:
            shards.pools.append(
                httpx.AsyncHTTPTransport(verify=self._context(), limits=self._limits)
            )
            busy.append(0)
            best = len(busy) - 1
        return shards, best

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.is_closed:
            raise RuntimeError("the connection pool is closed")  # as httpx's client says
        shards, index = self._pick(request.url)
        shards.busy[index] += 1

        def release() -> None:
            shards.busy[index] -= 1

        try:
            response = await shards.pools[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _ReleasingStream(response.stream, release)
        return response

    async def aclose(self) -> None:
        self.is_closed = True
        for shards in self._origins.values():
            for pool in shards.pools:
                await pool.aclose()
        self._origins.clear()


def new_sender(
    *, verify: bool = True, max_connections: int = 64
) -> tuple[httpx.AsyncClient | None, httpx.AsyncBaseTransport | None]:
    """What a transport sends through: an httpx client where the environment names a proxy
    (httpx reads ``HTTP(S)_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` exactly as for any httpx
    program), else a connection pool alone (``urllib.request.getproxies`` is what httpx asks
    too). Either way one pool per TLS setting, bounded, with keep-alive."""
    if any(scheme != "no" for scheme in urllib.request.getproxies()):
        return new_client(verify=verify, max_connections=max_connections), None
    return None, new_pool(verify=verify, max_connections=max_connections)


def _limits(max_connections: int) -> httpx.Limits:
    """Every connection may stay alive: with fewer keep-alive slots than connections, httpcore
    closes idle connections under load and opens new ones (measured by benchmarks/: thousands
    of reconnects for 77k calls at 64 in flight). The pool stays bounded; further calls wait
    for a free connection."""
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def new_pool(*, verify: bool = True, max_connections: int = 64) -> httpx.AsyncBaseTransport:
    """Connections for a daemon: per origin, pools of 4 (``ShardedPool``: httpcore's cost per
    call grows with the connections one pool holds), ``max_connections`` in all per origin,
    keep-alive, TLS verification on."""
    return ShardedPool(verify=verify, shard_size=4, max_shards=max(1, max_connections // 4))


def new_client(*, verify: bool = True, max_connections: int = 64) -> httpx.AsyncClient:
    """An httpx client with the same pool, which also applies the environment's proxies."""
    return httpx.AsyncClient(
        limits=_limits(max_connections),
        verify=verify,
        timeout=httpx.Timeout(600.0, connect=10.0),
    )
