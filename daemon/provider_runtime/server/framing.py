"""Message framing on a byte stream: LSP ``Content-Length`` headers or one JSON message per line.

The framing is detected from the first non-whitespace byte (``{`` or ``[`` means lines) unless
forced. Limits are enforced while reading: an oversized message is skipped, never buffered whole,
and a ``Content-Length`` header line met while skipping it resumes reading there (the body
never came). After a bad header block, reading resumes at the next ``Content-Length`` header too.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "FrameError",
    "FrameReader",
    "Framing",
    "encode_frame",
]

DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_HEADER_BYTES = 8192
_CHUNK = 64 * 1024
_WHITESPACE = b" \t\r\n"
_LENGTH_HEADER = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_NEXT_HEADER = re.compile(rb"content-length[ \t]*:[ \t]*[0-9]+[ \t]*\r?\n", re.IGNORECASE)
_HEADER_TAIL = 64  # bytes kept back while skipping: they may begin a header still arriving


class Framing(StrEnum):
    LINES = "lines"
    CONTENT_LENGTH = "content-length"


@dataclass(frozen=True, slots=True)
class FrameError:
    """A message that could not be read; the reader has already skipped past it."""

    message: str
    too_large: bool = False


def encode_frame(body: bytes, framing: Framing) -> bytes:
    """One outgoing message (``body`` is compact JSON, so it holds no raw newline)."""
    if framing is Framing.LINES:
        return body + b"\n"
    return b"Content-Length: %d\r\n\r\n%b" % (len(body), body)


class FrameReader:
    """Reads whole messages from ``read`` (``read(n)`` returns up to n bytes, ``b""`` at EOF)."""

    def __init__(
        self,
        read: Callable[[int], Awaitable[bytes]],
        *,
        framing: Framing | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self._read = read
        self._framing = framing
        self._max = max_message_bytes
        self._buf = bytearray()
        self._eof = False
        self._skip = 0  # body bytes of a refused message still to be thrown away

    @property
    def framing(self) -> Framing | None:
        """The framing in use: forced, or detected from the first message (None before it)."""
        return self._framing

    @property
    def buffered(self) -> bool:
        """Whether input already read is waiting (so ``next`` may not have to wait)."""
        return bool(self._buf)

    async def next(self) -> bytes | FrameError | None:
        """The next message body, a ``FrameError`` for a bad one, or None at end of input."""
        if self._skip:
            await self._discard(self._skip)
            self._skip = 0
        if not await self._skip_whitespace():
            return None
        if self._framing is None:
            self._framing = Framing.LINES if self._buf[0] in b"{[" else Framing.CONTENT_LENGTH
        if self._framing is Framing.LINES:
            return await self._next_line()
        return await self._next_with_headers()

    async def _fill(self, want: int = _CHUNK) -> bool:
        """Append at least one more chunk to the buffer; False at end of input."""
        if self._eof:
            return False
        chunk = await self._read(max(want, _CHUNK))
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    async def _skip_whitespace(self) -> bool:
        while True:
            start = 0
            while start < len(self._buf) and self._buf[start] in _WHITESPACE:
                start += 1
            if start:
                del self._buf[:start]
            if self._buf:
                return True
            if not await self._fill():
                return False

    async def _next_line(self) -> bytes | FrameError:
        scanned = 0
        while (end := self._buf.find(b"\n", scanned)) < 0:
            scanned = len(self._buf)
            if scanned > self._max:
                return await self._discard_line()
            if not await self._fill():
                end = len(self._buf)  # a last line without its newline still counts
                break
        if end > self._max:
            del self._buf[: end + 1]
            return self._too_large(end)
        line = bytes(self._buf[:end]).rstrip(b"\r")
        del self._buf[: end + 1]
        return line

    async def _discard_line(self) -> FrameError:
        dropped = 0
        while (end := self._buf.find(b"\n")) < 0:
            dropped += len(self._buf)
            self._buf.clear()
            if not await self._fill():
                return self._too_large(dropped)
        del self._buf[: end + 1]
        return self._too_large(dropped + end)

    async def _next_with_headers(self) -> bytes | FrameError:
        headers = await self._read_headers()
        if isinstance(headers, FrameError):
            return headers
        length = _content_length(headers)
        if len(headers) > MAX_HEADER_BYTES:
            length = FrameError(f"a header block over {MAX_HEADER_BYTES} bytes")
        if isinstance(length, FrameError):
            return self._resynchronise(headers, length)
        if length > self._max:
            self._skip = length  # refused now, its body skipped on the next read
            return self._too_large(length)
        while len(self._buf) < length:
            if not await self._fill(length - len(self._buf)):
                missing = length - len(self._buf)
                self._buf.clear()
                return FrameError(f"input ended {missing} bytes short of a {length}-byte message")
        body = bytes(self._buf[:length])
        del self._buf[:length]
        return body

    async def _read_headers(self) -> bytes | FrameError:
        while True:
            end, size = self._buf.find(b"\r\n\r\n"), 4
            bare = self._buf.find(b"\n\n")  # tolerate bare-LF header lines
            if bare >= 0 and (end < 0 or bare < end):
                end, size = bare, 2
            if end >= 0:
                block = bytes(self._buf[:end])
                del self._buf[: end + size]
                return block
            if len(self._buf) > MAX_HEADER_BYTES:
                # no header block here; keep a Content-Length header that may begin after
                # the junk (one at the very start is this endless block's own: dropped)
                start = _last_length_header(self._buf)
                del self._buf[: start or len(self._buf)]
                return FrameError(f"no end of headers within {MAX_HEADER_BYTES} bytes")
            if not await self._fill():
                self._buf.clear()
                return FrameError("input ended inside a header block")

    def _resynchronise(self, block: bytes, error: FrameError) -> FrameError:
        """Report a bad header block; if a ``Content-Length`` header starts inside it after
        other bytes, read on from there (put back for the next call).

        Without this, the leftover of a mis-sized or header-less message would swallow the
        next message's headers, and so on for every message after it.
        """
        start = _last_length_header(block)
        if start:
            self._buf[:0] = block[start:] + b"\r\n\r\n"
            return FrameError(f"{start} bytes of input were not a message: skipped")
        return error

    async def _discard(self, length: int) -> None:
        """Skip a refused body of ``length`` bytes, holding at most a chunk of it at a time.

        A whole ``Content-Length: N`` header line met inside it ends the skip: the declared
        body never came (or stopped short) and the next message did. JSON cannot hold that
        line, not even in a string (its line end would be a raw control character), so a sent
        body is never cut; a lying header costs its own message, not the rest of the session.
        """
        while length > 0:
            found = _NEXT_HEADER.search(self._buf)
            if found is not None and found.start() < length:
                del self._buf[: found.start()]
                return
            # all of the body that is here, less a tail that may be a header's first bytes
            step = length if len(self._buf) >= length else len(self._buf) - _HEADER_TAIL
            if step > 0:
                del self._buf[:step]
                length -= step
            elif not await self._fill():
                del self._buf[:length]  # input ended inside the body
                return

    def _too_large(self, size: int) -> FrameError:
        return FrameError(
            f"message of {size} bytes exceeds the limit of {self._max} bytes", too_large=True
        )


def _last_length_header(data: bytes | bytearray) -> int | None:
    start = None
    for match in _LENGTH_HEADER.finditer(data):
        start = match.start()
    return start


def _content_length(block: bytes) -> int | FrameError:
    length: int | None = None
    for line in block.split(b"\n"):
        name, sep, value = line.strip().partition(b":")
        if not sep:
            return FrameError(f"malformed header line {line.strip()[:80]!r}")
        if name.strip().lower() == b"content-length":
            text = value.strip()
            if not text.isdigit() or len(text) > 15:
                return FrameError(f"invalid Content-Length {text[:40]!r}")
            length = int(text)
    if length is None:
        return FrameError("missing Content-Length header")
    return length
