"""FrameReader and encode_frame: both framings, detection, limits, and recovery from bad input."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Iterable

import pytest

from provider_runtime.server.framing import FrameError, FrameReader, Framing, encode_frame


def reader_over(chunks: Iterable[bytes], **kwargs: object) -> FrameReader:
    """A FrameReader over fixed chunks; each read returns at most one chunk (or part of one)."""
    pending = list(chunks)

    async def read(n: int) -> bytes:
        if not pending:
            return b""
        chunk = pending.pop(0)
        if len(chunk) > n:
            pending.insert(0, chunk[n:])
            chunk = chunk[:n]
        return chunk

    return FrameReader(read, **kwargs)  # type: ignore[arg-type]


async def read_all(reader: FrameReader) -> list[bytes | FrameError]:
    out: list[bytes | FrameError] = []
    while (item := await reader.next()) is not None:
        out.append(item)
    return out


def cl(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def test_lines_are_detected_from_a_leading_brace_and_split_on_newlines() -> None:
    reader = reader_over([b'\n  {"a": 1}\r\n[1,', b"2]\n\n", b'{"b":2}'])
    assert await read_all(reader) == [b'{"a": 1}', b"[1,2]", b'{"b":2}']
    assert reader.framing is Framing.LINES


async def test_content_length_counts_bytes_not_characters() -> None:
    body = '{"text":"héllo ✓ 😀"}'.encode()
    assert len(body) > len(body.decode())
    reader = reader_over([cl(body) + cl(b"{}")[:7], cl(b"{}")[7:]])
    assert await read_all(reader) == [body, b"{}"]
    assert reader.framing is Framing.CONTENT_LENGTH


async def test_headers_are_case_insensitive_with_extra_headers_and_bare_lf() -> None:
    body = b'{"x":1}'
    data = (
        b"content-type: application/vscode-jsonrpc; charset=utf-8\r\n"
        b"CONTENT-LENGTH: 7\r\n\r\n" + body + b"Content-Length: 2\n\n{}"
    )
    assert await read_all(reader_over([data])) == [body, b"{}"]


async def test_body_split_over_many_small_reads() -> None:
    body = b'{"k":"' + b"v" * 5000 + b'"}'
    data = cl(body)
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
    assert await read_all(reader_over(chunks)) == [body]


async def test_forced_framing_ignores_the_first_byte() -> None:
    reader = reader_over([cl(b"{}")], framing=Framing.CONTENT_LENGTH)
    assert await read_all(reader) == [b"{}"]
    forced = reader_over([b"Content-Length: 2\n"], framing=Framing.LINES)
    assert await read_all(forced) == [b"Content-Length: 2"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Content-Type: x\r\n\r\n{}", "missing Content-Length"),
        (b"Content-Length: abc\r\n\r\n{}", "invalid Content-Length"),
        (b"Content-Length: -5\r\n\r\n{}", "invalid Content-Length"),
        (b"Content-Length 5\r\n\r\n{}", "malformed header line"),
        (b"Content-Length: 50\r\n\r\n{}", "short of a 50-byte message"),
        (b"Content-Length: 5\r\n", "input ended inside a header block"),
    ],
)
async def test_bad_headers_give_a_frame_error(data: bytes, expected: str) -> None:
    items = await read_all(reader_over([data]))
    assert isinstance(items[0], FrameError) and expected in items[0].message
    assert not items[0].too_large


async def test_reader_recovers_after_a_bad_header_block() -> None:
    items = await read_all(reader_over([b"Bogus: 1\r\n\r\n" + cl(b"[]")]))
    assert isinstance(items[0], FrameError) and items[1:] == [b"[]"]


async def test_endless_header_block_is_dropped() -> None:
    items = await read_all(reader_over([b"X" * 20_000]))
    assert len(items) == 1 and isinstance(items[0], FrameError)
    assert "no end of headers" in items[0].message


async def test_declared_length_over_the_limit_is_skipped_and_the_next_message_read() -> None:
    big = b"x" * 5000
    reader = reader_over([cl(big) + cl(b"{}")], max_message_bytes=1000)
    items = await read_all(reader)
    assert isinstance(items[0], FrameError) and items[0].too_large
    assert "5000 bytes exceeds the limit of 1000" in items[0].message
    assert items[1:] == [b"{}"]


async def test_oversized_body_is_discarded_without_buffering_it() -> None:
    chunk = b"y" * (256 * 1024)
    count = 192  # 48 MiB declared and sent, in chunks that are all the same object
    header = b"Content-Length: %d\r\n\r\n" % (len(chunk) * count)
    reader = reader_over([header, *[chunk] * count, cl(b"{}")], max_message_bytes=1024 * 1024)
    tracemalloc.start()
    try:
        items = await read_all(reader)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(items[0], FrameError) and items[0].too_large and items[1:] == [b"{}"]
    assert peak < 4 * 1024 * 1024  # the 48 MiB body went by in chunks, never held whole


@pytest.mark.parametrize(
    "sent",
    [b"", b'{"jsonrpc": "2.0", "id": 1, "meth', b'{\n  "a": 1,\n'],
    ids=["nothing", "part of a line", "part of some lines"],
)
async def test_a_body_that_never_comes_costs_only_its_message(sent: bytes) -> None:
    """1 GiB declared, then the next message instead: reading resumes at its header."""
    data = b"Content-Length: %d\r\n\r\n" % (1 << 30) + sent + cl(b'{"next":1}') + cl(b"{}")
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]  # headers cut anywhere
    items = await read_all(reader_over(chunks, max_message_bytes=1000))
    assert isinstance(items[0], FrameError) and items[0].too_large
    assert items[1:] == [b'{"next":1}', b"{}"]


async def test_a_sent_body_mentioning_content_length_is_skipped_whole() -> None:
    """JSON cannot hold a raw header line, so nothing in a real body ends the skip early."""
    line = b'  "Content-Length: 12\\r\\n\\r\\n{}": "Content-Length: 5",\n'
    body = b"{\n" + line * 2000 + b'  "end": true\n}'
    items = await read_all(reader_over([cl(body) + cl(b"{}")], max_message_bytes=1000))
    assert isinstance(items[0], FrameError) and items[0].too_large and items[1:] == [b"{}"]


async def test_line_over_the_limit_is_skipped() -> None:
    data = b'{"a":"' + b"z" * 3000 + b'"}\n{"ok":1}\n'
    chunks = [data[i : i + 500] for i in range(0, len(data), 500)]
    items = await read_all(reader_over(chunks, max_message_bytes=1000))
    assert isinstance(items[0], FrameError) and items[0].too_large
    assert items[1:] == [b'{"ok":1}']


async def test_eof_with_nothing_sent_is_just_eof() -> None:
    assert await read_all(reader_over([b"  \n\r\n"])) == []


def test_encode_frame_in_both_framings() -> None:
    body = '{"t":"é"}'.encode()
    assert encode_frame(body, Framing.LINES) == body + b"\n"
    assert encode_frame(body, Framing.CONTENT_LENGTH) == b"Content-Length: 10\r\n\r\n" + body


async def test_real_stream_reader_source() -> None:
    stream = asyncio.StreamReader()
    stream.feed_data(b'{"a":1}\n')
    stream.feed_eof()
    assert await read_all(FrameReader(stream.read)) == [b'{"a":1}']
