"""The daemon with one httpx pool of 64 connections instead of its sharded pools (what-if rows).

``python -m benchmarks.one_pool_daemon serve --config PATH``: same arguments as the real command.
This is how the runtime pooled connections before ``transport/pool.py``; measured beside it.
"""

from __future__ import annotations

import httpx

from provider_runtime.cli import main
from provider_runtime.transport import pool


def one_pool(*, verify: bool = True, max_connections: int = 64) -> httpx.AsyncHTTPTransport:
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncHTTPTransport(verify=verify, limits=limits)


if __name__ == "__main__":
    pool.new_pool = one_pool  # new_sender looks it up when the first transport is made
    raise SystemExit(main())
