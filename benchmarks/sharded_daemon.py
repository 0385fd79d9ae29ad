"""The daemon with ``new_client`` swapped for the sharded-pool prototype (what-if rows only).

``python -m benchmarks.sharded_daemon serve --config PATH``: same arguments as the real command.
"""

from __future__ import annotations

import httpx

from provider_runtime.cli import main
from provider_runtime.runtime import builder
from provider_runtime.transport import http

from .sharded_pool import sharded_client


def _new_client(*, verify: bool = True, max_connections: int = 64) -> httpx.AsyncClient:
    return sharded_client(verify=verify)


if __name__ == "__main__":
    http.new_client = _new_client
    vars(builder)["new_client"] = _new_client  # the name the builder imported
    raise SystemExit(main())
