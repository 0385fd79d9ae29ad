"""protocol.md §8 agrees with the daemon: its transcripts replay exactly against the real process,
and its method, limit and echo-model tables match the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from provider_runtime.providers.echo import ECHO_MODELS
from provider_runtime.server.framing import DEFAULT_MAX_MESSAGE_BYTES
from provider_runtime.server.handlers import METHODS
from tests.daemon_client import spawn_daemon

PROTOCOL = Path(__file__).resolve().parent.parent / "protocol.md"
TEXT = PROTOCOL.read_text()
SECTION = re.search(r"^## 8\. .*?(?=^## 9\. )", TEXT, re.MULTILINE | re.DOTALL)
assert SECTION, "protocol.md has no section 8"
BODY = SECTION.group(0)


def transcripts() -> list[list[str]]:
    """Each ```text block right after a ``<!-- replay -->`` line, as its lines."""
    found = re.findall(r"^<!-- replay -->\n```text\n(.*?)^```$", BODY, re.MULTILINE | re.DOTALL)
    return [block.splitlines() for block in found]


def test_section_8_has_transcripts() -> None:
    assert len(transcripts()) >= 4
    assert all(line[:4] in ("--> ", "<-- ") for t in transcripts() for line in t)


@pytest.mark.parametrize("transcript", transcripts(), ids=lambda t: t[0][4:60])
async def test_transcript_replays_exactly(transcript: list[str], tmp_path: Path) -> None:
    sent: list[str] = []
    async with spawn_daemon(tmp_path, config=None) as daemon:
        for line in transcript:
            direction, payload = line[:3], line[4:]
            if direction == "-->":
                sent.append(payload)
                await daemon.send_raw(payload.encode() + b"\n")
            else:
                assert await daemon.recv() == json.loads(payload), f"after {sent[-1][:80]}"
        if any('"method": "exit"' in s for s in sent):
            shut_down = any('"method": "shutdown"' in s for s in sent)
            assert await daemon.wait() == (0 if shut_down else 1)


def test_content_length_example_counts_its_bytes() -> None:
    match = re.search(r"Content-Length: (\d+)\\r\\n\n\\r\\n\n(\{.*\})\n", BODY)
    assert match, "§8.2 has no framed example"
    assert int(match.group(1)) == len(match.group(2).encode())


def test_method_table_matches_the_server() -> None:
    rows = re.findall(r"^\| `([a-zA-Z$/]+)` \| (?:request|notification)", BODY, re.MULTILINE)
    assert set(rows) == {*METHODS, "window/logMessage"}


def test_documented_message_limit_is_the_default() -> None:
    assert DEFAULT_MAX_MESSAGE_BYTES == 64 * 1024 * 1024
    assert "| one message | 64 MiB (`--max-message-bytes`)" in BODY


def test_echo_model_table_matches_the_provider() -> None:
    rows = re.findall(r"^\| `echo/([a-z0-9-]+)` \| (\d+) \| (\d+) \|", BODY, re.MULTILINE)
    assert rows == [(mid, str(ctx), str(out)) for mid, _, ctx, out, _ in ECHO_MODELS]
