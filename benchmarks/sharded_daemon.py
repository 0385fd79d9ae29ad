"""The daemon with ``new_sender`` swapped for the sharded-pool prototype (what-if rows only).

``python -m benchmarks.sharded_daemon serve --config PATH``: same arguments as the real command.
"""

from __future__ import annotations

from provider_runtime.cli import main
from provider_runtime.transport import http

from .sharded_pool import ShardedPoolTransport


def _new_sender(
    *, verify: bool = True, max_connections: int = 64
) -> tuple[None, ShardedPoolTransport]:
    return None, ShardedPoolTransport(verify=verify)


if __name__ == "__main__":
    http.new_sender = _new_sender  # type: ignore[assignment]  # assembly imports it at first use
    raise SystemExit(main())
