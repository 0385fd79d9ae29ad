"""Soak: 20,000 mixed good and bad messages through one daemon. No reply is lost or doubled,
and resident memory does not grow between an early and a late sample.

Messages go in chunks, each chunk's replies awaited, so the samples see a daemon at rest.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from tests.daemon_client import run_params
from tests.sync_daemon import SyncDaemon

TOTAL = 20_000
CHUNK = 1_000
EARLY_SAMPLE_AFTER = 4  # chunks: the daemon is warm (runtime built, caches filled)
MAX_GROWTH = 12 * 1024 * 1024  # bytes; a leak of ~600 bytes a message would pass it


def message(n: int, rng: random.Random) -> tuple[bytes, list[str], int]:
    """One message: its bytes, the ids that must each be answered once, and how many
    replies with a null id it causes."""
    msg_id = f"soak-{n}"
    kind = rng.choices(
        ["run", "error", "params", "parse", "unknown", "note", "cancel", "batch", "invalid"],
        weights=[40, 8, 10, 10, 8, 6, 6, 6, 6],
    )[0]
    if kind == "run":
        text = f"message {n} " + "x" * rng.randint(0, 2000)
        return (
            _json({"id": msg_id, "method": "runtime/run", "params": run_params(text)}),
            [msg_id],
            0,
        )
    if kind == "error":
        text = f"/error {rng.choice(['rate_limited', 'server', 'overloaded'])} n{n}"
        return (
            _json({"id": msg_id, "method": "runtime/run", "params": run_params(text)}),
            [msg_id],
            0,
        )
    if kind == "params":
        params = {"model": "echo/echo-1", "messages": [{"role": "user", "content": n}]}
        return _json({"id": msg_id, "method": "runtime/run", "params": params}), [msg_id], 0
    if kind == "parse":
        return b'{"jsonrpc": "2.0", "id": "' + msg_id.encode() + b'", "method": [', [], 1
    if kind == "unknown":
        return _json({"id": msg_id, "method": f"runtime/nothing-{n}"}), [msg_id], 0
    if kind == "note":
        return _json({"method": rng.choice(["initialized", f"x/{n}", "runtime/run"])}), [], 0
    if kind == "cancel":
        target = f"soak-{rng.randint(max(0, n - 50), n)}"
        return _json({"method": "$/cancelRequest", "params": {"id": target}}), [], 0
    if kind == "batch":
        ids = [f"{msg_id}-a", f"{msg_id}-b"]
        items = [
            {"jsonrpc": "2.0", "id": i, "method": "runtime/run", "params": run_params(i)}
            for i in ids
        ]
        return json.dumps([*items, {"jsonrpc": "2.0", "method": "initialized"}]).encode(), ids, 0
    return (
        json.dumps({"jsonrpc": "1.0", "id": msg_id, "method": "initialize"}).encode(),
        [msg_id],
        0,
    )


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps({"jsonrpc": "2.0", **body}).encode()


def test_twenty_thousand_mixed_messages(tmp_path: Path) -> None:
    rng = random.Random(20_000)
    d = SyncDaemon(tmp_path)
    try:
        expected: list[str] = []
        nulls = 0
        early = 0
        for chunk in range(TOTAL // CHUNK):
            data = bytearray()
            ids: list[str] = []
            for n in range(chunk * CHUNK, (chunk + 1) * CHUNK):
                body, must, null = message(n, rng)
                data += body + b"\n"
                ids += must
                nulls += null
            d.send_raw(bytes(data))
            assert not d.wait_for(ids, within=60), f"replies lost in chunk {chunk}"
            expected += ids
            if chunk + 1 == EARLY_SAMPLE_AFTER:
                early = d.rss()
        late = d.rss()
        assert d.proc.poll() is None
        counts = Counter({k: d.answered[json.dumps(k)] for k in expected})
        assert set(counts.values()) == {1}, [k for k, c in counts.items() if c != 1][:5]
        assert d.answered["null"] == nulls
        assert not d.garbage
        assert late - early < MAX_GROWTH, (
            f"RSS grew {(late - early) / 2**20:.1f} MiB ({early} -> {late})"
        )
    finally:
        d.close()
