"""Test helper: one spawned daemon driven from synchronous code (hypothesis, soak loops).

A reader thread takes every frame off stdout, checks it is a protocol message, and counts the
replies per id; ``wait_for`` blocks until given ids have been answered. Bytes on stdout that
are not a well-formed frame of JSON are recorded in ``garbage``.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO

from tests.daemon_client import DAEMON_CMD, frame, isolated_env


class SyncDaemon:
    def __init__(self, tmp: Path, framing: str = "lines", *args: str) -> None:
        self.framing = framing
        self.proc = subprocess.Popen(
            [*DAEMON_CMD, "--framing", framing, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=isolated_env(tmp),
        )
        self.answered: Counter[str] = Counter()  # json.dumps(id) -> replies seen
        self.replies: dict[str, Any] = {}  # json.dumps(id) -> the last reply
        self.notifications: list[Any] = []
        self.garbage: list[bytes] = []
        self.stderr = bytearray()
        self.frames = 0
        self._lock = threading.Condition()
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # ------------------------------------------------------------------ writing

    def send(self, message: Any) -> None:
        self.send_raw(frame(message, self.framing))

    def send_body(self, body: bytes) -> None:
        """One message body, framed correctly whatever it holds."""
        self.send_raw(frame(body, self.framing))

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    # ------------------------------------------------------------------ reading

    def _read_stdout(self) -> None:
        out = self.proc.stdout
        assert out is not None
        read = self._next_line if self.framing == "lines" else self._next_framed
        while (body := read(out)) is not None:
            self._take(body)
        with self._lock:
            self._lock.notify_all()

    def _next_line(self, out: BinaryIO) -> bytes | None:
        line = out.readline()
        if not line:
            return None
        if not line.endswith(b"\n"):
            self.garbage.append(line)
        return line

    def _next_framed(self, out: BinaryIO) -> bytes | None:
        header = out.readline()
        if not header:
            return None
        blank = out.readline()
        name, _, value = header.partition(b":")
        if name != b"Content-Length" or blank != b"\r\n" or not value.strip().isdigit():
            self.garbage.append(header + blank)
            return b""
        return out.read(int(value))

    def _take(self, body: bytes) -> None:
        try:
            message = json.loads(body)
        except ValueError:
            self.garbage.append(body[:200])
            return
        items = message if isinstance(message, list) else [message]
        with self._lock:
            self.frames += 1
            for item in items:
                if not _is_protocol(item):
                    self.garbage.append(json.dumps(item)[:200].encode())
                elif "method" in item:
                    self.notifications.append(item)
                else:
                    key = json.dumps(item["id"])
                    self.answered[key] += 1
                    self.replies[key] = item
            self._lock.notify_all()

    def _read_stderr(self) -> None:
        err = self.proc.stderr
        assert err is not None
        while chunk := err.read1(65536):  # type: ignore[attr-defined]
            self.stderr += chunk

    def wait_for(self, ids: list[Any], within: float = 20.0) -> list[Any]:
        """Block until every id was answered at least once; the ids still unanswered."""
        keys = [json.dumps(i) for i in ids]
        deadline = time.monotonic() + within
        with self._lock:
            while True:
                missing = [k for k in keys if not self.answered[k]]
                left = deadline - time.monotonic()
                if not missing or left <= 0 or self.proc.poll() is not None:
                    return [json.loads(k) for k in missing]
                self._lock.wait(min(left, 0.5))

    def reply(self, msg_id: Any) -> Any:
        with self._lock:
            return self.replies.get(json.dumps(msg_id))

    def rss(self) -> int:
        """The daemon's resident memory in bytes (Linux /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS line")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for thread in self._threads:
            thread.join(5)


def _is_protocol(item: Any) -> bool:
    """A JSON-RPC 2.0 response (result xor error) or a notification from the daemon."""
    if not isinstance(item, dict) or item.get("jsonrpc") != "2.0":
        return False
    if "method" in item:
        return "id" not in item and item["method"] == "window/logMessage"
    if "id" not in item or ("result" in item) == ("error" in item):
        return False
    if "error" in item:
        error = item["error"]
        return (
            isinstance(error, dict)
            and type(error.get("code")) is int
            and isinstance(error.get("message"), str)
        )
    return True
