"""Prototype, measured by the benchmark only: an httpx transport spreading calls over small pools.

httpcore's ``AsyncConnectionPool._assign_requests_to_connections`` runs on every request and
every release and walks all connections (for each idle one, all connections again; for each
queued request, all connections), so with tens of connections in flight one pool costs several
times more CPU per call than a pool of four. Several small pools, each opened when the others
are full, keep that walk short while allowing as many connections in total as one big pool.
This is offered as ``HttpTransport.pool`` (``provider_runtime.transport.http.new_sender``); the
runtime does not use it.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable

import httpx


class _ReleasingStream(httpx.AsyncByteStream):
    """The response body; closing it marks its pool's connection as free again."""

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


class ShardedPoolTransport(httpx.AsyncBaseTransport):
    """Up to ``max_shards`` pools of ``shard_size`` connections; a call goes to the least busy.

    One TLS context is shared by all pools (creating one costs tens of milliseconds).
    """

    def __init__(
        self,
        *,
        shard_size: int = 4,
        max_shards: int = 16,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        self._size = shard_size
        self._max_shards = max_shards
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._shards: list[httpx.AsyncHTTPTransport] = []
        self._busy: list[int] = []

    def _new_shard(self) -> int:
        if self._ssl is None:
            verify = self._verify
            self._ssl = verify if isinstance(verify, ssl.SSLContext) else None
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context(verify=verify)
        limits = httpx.Limits(max_connections=self._size, max_keepalive_connections=self._size)
        self._shards.append(httpx.AsyncHTTPTransport(verify=self._ssl, limits=limits))
        self._busy.append(0)
        return len(self._shards) - 1

    def _pick(self) -> int:
        busy = self._busy
        best = min(range(len(busy)), key=busy.__getitem__) if busy else -1
        if (best < 0 or busy[best] >= self._size) and len(busy) < self._max_shards:
            return self._new_shard()
        return best

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = self._pick()
        self._busy[index] += 1

        def release() -> None:
            self._busy[index] -= 1

        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_ReleasingStream(response.stream, release),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


def sharded_client(*, verify: bool = True) -> httpx.AsyncClient:
    """What ``new_client`` would return: same timeouts, 16 pools of 4 = 64 connections."""
    return httpx.AsyncClient(
        transport=ShardedPoolTransport(verify=verify),
        timeout=httpx.Timeout(600.0, connect=10.0),
    )
