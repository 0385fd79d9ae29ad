"""``serve``: claim stdin/stdout for the protocol, run the read loop, stop cleanly.

stdout carries protocol only: the protocol gets private copies of fds 0 and 1, then fd 1 points
at stderr and fd 0 at /dev/null, so a stray ``print`` or a child process cannot corrupt a frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import stat
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from ..assembly import build_runtime
from ..config import load_config
from .framing import DEFAULT_MAX_MESSAGE_BYTES, FrameError, FrameReader, Framing, encode_frame
from .handlers import Session, handler_table
from .rpc import Dispatcher
from .state import ConfigLoader, RuntimeBuilder, RuntimeHolder

__all__ = [
    "LOG_LEVELS",
    "ServeOptions",
    "configure_logging",
    "event_loop",
    "run_server",
    "serve",
]

log = logging.getLogger("provider_runtime.server")

LOG_LEVELS = ("error", "warning", "info", "debug", "trace")
_READ_LIMIT = 1024 * 1024
_FLUSH_SECONDS = 5.0


@dataclass(frozen=True)
class ServeOptions:
    config_path: str | None = None
    framing: Framing | None = None  # None: detect from the first byte
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES


def serve(options: ServeOptions, *, log_level: str = "warning") -> int:
    """Run the daemon on this process's stdio until ``exit``, EOF or SIGTERM; the exit status."""
    stdin, stdout = _claim_stdio()
    configure_logging(log_level)
    name, run = event_loop(stdin, stdout)
    log.debug("event loop: %s", name)
    try:
        return run(run_server(options, stdin, stdout))
    except KeyboardInterrupt:
        return 130


def event_loop(*files: BinaryIO) -> tuple[str, Callable[[Coroutine[Any, Any, int]], int]]:
    """uvloop's event loop when it is installed (the ``uvloop`` extra) and each of ``files``
    (the protocol's stdin and stdout) is a pipe or a socket, else asyncio's own.

    uvloop runs the same code (asyncio's API) with its pipe and socket transports in C: it takes
    4-7% off a call through the daemon (benchmarks/README.md). It is kept to pipes and sockets,
    which is how editors and agents connect: uvloop 0.23 aborts the process when given a
    regular file or ``/dev/null``, and reads nothing from a terminal, where asyncio's loop
    serves (`serve < requests.jsonl`, typing requests by hand). The tests run both loops.
    """
    if all(_pipe_or_socket(f) for f in files):
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return "uvloop", uvloop.run
    return "asyncio", asyncio.run


def configure_logging(level: str) -> None:
    """Logs go to stderr. ``trace`` adds every message in and out (never credentials: the
    protocol carries none) and the HTTP clients' own logs."""
    numeric = logging.DEBUG if level == "trace" else getattr(logging, level.upper())
    logging.basicConfig(
        stream=sys.stderr, level=numeric, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(_scrub_httpcore_exception)
    quiet = logging.DEBUG if level == "trace" else logging.WARNING
    for name in ("httpx", "httpcore", "pygls"):
        logging.getLogger(name).setLevel(quiet)
    # botocore's debug logs quote SigV4's canonical request, session token included.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    tracing = logging.DEBUG if level == "trace" else logging.INFO
    logging.getLogger("provider_runtime.server.trace").setLevel(tracing)


_EXCEPTION_REPR = re.compile(r"exception=(?P<name>\w+)\(.*", re.DOTALL)


def _scrub_httpcore_exception(record: logging.LogRecord) -> bool:
    """httpcore's trace logs quote exceptions whole, and an invalid header's exception quotes
    the header value, credential included: keep the exception's name only."""
    if record.name.startswith("httpcore"):
        message = _EXCEPTION_REPR.sub(r"exception=\g<name>(...)", record.getMessage())
        record.msg, record.args = message, ()
    return True


def _claim_stdio() -> tuple[BinaryIO, BinaryIO]:
    protocol_in = os.fdopen(os.dup(0), "rb", buffering=0)
    protocol_out = os.fdopen(os.dup(1), "wb", buffering=0)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    try:
        os.dup2(2, 1)
    except OSError:  # no stderr either: stray output goes nowhere
        os.dup2(null, 1)
    os.close(null)
    sys.stdout = sys.stderr
    return protocol_in, protocol_out


async def run_server(
    options: ServeOptions,
    stdin: BinaryIO,
    stdout: BinaryIO,
    *,
    load: ConfigLoader = load_config,
    build: RuntimeBuilder = build_runtime,
) -> int:
    """Serve one client on ``stdin``/``stdout``; returns the process exit status."""
    holder = RuntimeHolder(options.config_path, load, build)
    try:
        holder.load()
    except Exception as exc:  # keep serving: calls answer with the error, reloadConfig may fix it
        log.error("configuration not loaded: %s", exc)
    read = await _open_input(stdin)
    output = await _Output.open(stdout)
    frames = FrameReader(read, framing=options.framing, max_message_bytes=options.max_message_bytes)
    session = Session(holder, max_message_bytes=options.max_message_bytes)

    def write(body: bytes) -> None:  # one frame, one write
        output.write(encode_frame(body, frames.framing or Framing.CONTENT_LENGTH))

    dispatcher = Dispatcher(handler_table(session), write)
    session.notify = dispatcher.notify
    stop = asyncio.Event()
    _on_signals(stop.set)
    try:
        return await _serve_until_done(frames, dispatcher, stop, output)
    finally:
        await holder.aclose()
        await output.aclose()


async def _serve_until_done(
    frames: FrameReader, dispatcher: Dispatcher, stop: asyncio.Event, output: _Output
) -> int:
    reading = asyncio.ensure_future(_read_loop(frames, dispatcher))
    stopped = asyncio.ensure_future(stop.wait())
    exited = asyncio.ensure_future(dispatcher.exited.wait())
    lost = asyncio.ensure_future(output.lost.wait())
    waiters = {reading, stopped, exited, lost}
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        if _answers_owed(dispatcher, stop, output):
            # Answer what was asked, each call within its own limits, unless a signal or a
            # closed stdout says to stop first. Input is still read after `exit`, so
            # `$/cancelRequest` still works (new requests are refused: shutdown was asked).
            draining = asyncio.ensure_future(dispatcher.drain())
            waiters.add(draining)
            await asyncio.wait({draining, stopped, lost}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        dispatcher.cancel_all()
        await dispatcher.drain()
    finally:
        for waiter in waiters:
            waiter.cancel()
    if reading.done() and not reading.cancelled() and reading.exception() is not None:
        log.error("reading input failed", exc_info=reading.exception())
    return dispatcher.exit_code if dispatcher.exit_code is not None else 0


def _answers_owed(dispatcher: Dispatcher, stop: asyncio.Event, output: _Output) -> bool:
    """Whether the daemon ends by answering what is in flight rather than cancelling it.

    It does at end of input (a shell pipe closes stdin right after its request) and at `exit`
    after `shutdown` (LSP: requests received before `shutdown` are answered); not at `exit`
    without `shutdown` (an abnormal end), a signal, or a closed stdout (no one to answer).
    """
    if stop.is_set() or output.lost.is_set():
        return False
    return dispatcher.shutdown_requested or not dispatcher.exited.is_set()


async def _read_loop(frames: FrameReader, dispatcher: Dispatcher) -> None:
    while True:  # after `exit` too, for `$/cancelRequest`, until the last answer or EOF
        item = await frames.next()  # suspends only when no whole message is buffered
        if item is None:
            return
        if isinstance(item, FrameError):
            log.warning("unreadable message: %s", item.message)
            dispatcher.reject_frame(item.message, too_large=item.too_large)
        else:
            dispatcher.feed(item)
        if frames.buffered:  # pipelined: the request just started takes its pooled connection
            # first (a burst started all at once opens more connections, slowing later calls)
            await asyncio.sleep(0)


def _on_signals(callback: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, callback)  # not on every platform, nor off the main thread


async def _open_input(stdin: BinaryIO) -> Callable[[int], Awaitable[bytes]]:
    def in_a_thread(n: int) -> Awaitable[bytes]:
        return asyncio.to_thread(stdin.read, n)

    # A regular file (`serve < requests.jsonl`) or a device such as /dev/null, which epoll
    # cannot watch (the loop would wait for it forever), is read in a thread.
    if not (_pipe_or_socket(stdin) or stdin.isatty()):
        return in_a_thread
    reader = asyncio.StreamReader(limit=_READ_LIMIT)
    try:
        await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), stdin
        )
    except (ValueError, OSError):
        return in_a_thread
    return reader.read


def _pipe_or_socket(file: BinaryIO) -> bool:
    try:
        mode = os.fstat(file.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


class _Output(asyncio.Protocol):
    """The protocol's stdout: an asyncio pipe transport, or blocking writes for a regular file."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._transport: asyncio.WriteTransport | None = None
        self.lost = asyncio.Event()

    @classmethod
    async def open(cls, file: BinaryIO) -> _Output:
        output = cls(file)
        with contextlib.suppress(ValueError, OSError):  # not a pipe: `write` uses the file
            await asyncio.get_running_loop().connect_write_pipe(lambda: output, file)
        return output

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.WriteTransport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        log.info("stdout closed%s", f": {exc}" if exc else "")
        self.lost.set()

    def write(self, data: bytes) -> None:
        if self.lost.is_set():
            return
        if self._transport is not None:
            self._transport.write(data)  # one os.write when nothing is queued before it
            return
        try:
            view = memoryview(data)
            while view:
                view = view[self._file.write(view) or 0 :]
        except OSError as exc:
            self.connection_lost(exc)

    async def aclose(self) -> None:
        """Flush what is buffered (for at most a few seconds), then close."""
        if self._transport is None:
            return
        self._transport.close()  # the transport writes out its buffer before it closes
        try:
            async with asyncio.timeout(_FLUSH_SECONDS):
                await self.lost.wait()
        except TimeoutError:
            self._transport.abort()
