"""JSON-RPC 2.0 dispatch on asyncio and msgspec: envelopes, concurrency, cancellation, lifecycle.

Not pygls's ``JsonRPCProtocol``, by measurement (pygls 2.1): importing it loads
``lsprotocol.types`` (~300 ms of the 500 ms start-up budget); it sends no reply to a parse error or
a wrong ``jsonrpc``, silently drops requests after ``shutdown``, has no batches, turns params into
namedtuples (renaming keys such as ``$schema``), logs reply bodies at INFO and maps every handler
exception to -32603. Here params stay raw JSON until a handler decodes them into canonical types.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple

import msgspec

from .errors import (
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    RpcError,
    cancelled_error,
    error_object,
)

__all__ = ["Dispatcher", "Handler", "MsgId"]

log = logging.getLogger("provider_runtime.server")
trace = logging.getLogger("provider_runtime.server.trace")

MsgId = int | str | None
Handler = Callable[[msgspec.Raw | None], Awaitable[Any]]
Response = dict[str, Any]

_NO_REPLY_NOTIFICATIONS = frozenset({"initialized", "$/setTrace", "$/logTrace", "$/progress"})


class _Envelope(msgspec.Struct):
    """Any JSON object; fields are checked by hand so each problem gets its own answer."""

    jsonrpc: Any = msgspec.UNSET
    id: Any = msgspec.UNSET
    method: Any = msgspec.UNSET
    params: msgspec.Raw = msgspec.Raw()
    result: msgspec.Raw = msgspec.Raw()
    error: msgspec.Raw = msgspec.Raw()


class _Pending(NamedTuple):
    """A request being served: its id and the task that will produce its reply."""

    msg_id: int | str | None
    task: asyncio.Task[Response]

    def reply(self) -> Response:
        if self.task.cancelled():  # cancelled before it started, so `_call` never ran
            return cancelled_error(self.msg_id)
        return self.task.result()


class _CancelParams(msgspec.Struct):
    id: int | str


_decode_message = msgspec.json.Decoder(_Envelope | list[msgspec.Raw]).decode
_decode_envelope = msgspec.json.Decoder(_Envelope).decode
_decode_cancel = msgspec.json.Decoder(_CancelParams).decode


class Dispatcher:
    """Feeds decoded frames to handlers, one asyncio task per request; replies via ``write``.

    ``write`` receives one encoded JSON body per message and must write it whole (the caller
    frames it); it is only called from the event loop thread, so two replies never interleave.
    """

    def __init__(self, handlers: Mapping[str, Handler], write: Callable[[bytes], None]) -> None:
        self._handlers = dict(handlers)
        self._write = write
        self._encoder = msgspec.json.Encoder()
        self._inflight: dict[int | str | None, asyncio.Task[Response]] = {}
        self._tasks: set[asyncio.Future[Any]] = set()
        self.shutdown_requested = False
        self.exit_code: int | None = None  # set by the `exit` notification
        self.exited = asyncio.Event()

    # ------------------------------------------------------------------ input

    def feed(self, frame: bytes) -> None:
        """Handle one message (or batch); never raises for anything the client sent."""
        if trace.isEnabledFor(logging.DEBUG):
            trace.debug("<-- %s", frame[:4000].decode("utf-8", "replace"))
        try:
            message = _decode_message(frame)
        except msgspec.ValidationError:
            self._send(error_object(None, INVALID_REQUEST, "a message must be an object or array"))
            return
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
            self._send(error_object(None, PARSE_ERROR, f"parse error: {_short(exc)}"))
            return
        if isinstance(message, list):
            self._feed_batch(message)
            return
        outcome = self._accept(message)
        if isinstance(outcome, _Pending):
            outcome.task.add_done_callback(lambda _: self._send(outcome.reply()))
        elif outcome is not None:
            self._send(outcome)

    def reject_frame(self, message: str, *, too_large: bool = False) -> None:
        """Answer a message the framing layer could not read (there is no id to answer to)."""
        self._send(error_object(None, INVALID_REQUEST if too_large else PARSE_ERROR, message))

    def _feed_batch(self, items: list[msgspec.Raw]) -> None:
        if not items:
            self._send(error_object(None, INVALID_REQUEST, "an empty batch is not a request"))
            return
        outcomes: list[_Pending | Response] = []
        for item in items:
            try:
                outcome = self._accept(_decode_envelope(item))
            except (msgspec.DecodeError, RecursionError, ValueError):
                outcome = error_object(None, INVALID_REQUEST, "a batch item must be an object")
            if outcome is not None:
                outcomes.append(outcome)
        if outcomes:
            self._track(asyncio.ensure_future(self._finish_batch(outcomes)))

    async def _finish_batch(self, outcomes: list[_Pending | Response]) -> None:
        tasks = [o.task for o in outcomes if isinstance(o, _Pending)]
        if tasks:
            await asyncio.wait(tasks)
        self._send([o.reply() if isinstance(o, _Pending) else o for o in outcomes])

    def _accept(self, env: _Envelope) -> _Pending | Response | None:
        """Start a request's task, or return its immediate error reply, or None (no reply)."""
        has_id = env.id is not msgspec.UNSET
        msg_id = env.id if has_id and _valid_id(env.id) else None
        if has_id and not _valid_id(env.id):
            return error_object(None, INVALID_REQUEST, "`id` must be a string, integer or null")
        if env.jsonrpc != "2.0":
            return error_object(msg_id, INVALID_REQUEST, '`jsonrpc` must be "2.0"')
        if env.method is msgspec.UNSET and (env.result or env.error):
            log.debug("ignoring a response from the client (id %r)", msg_id)
            return None
        if not isinstance(env.method, str):
            return error_object(msg_id, INVALID_REQUEST, "`method` must be a string")
        if not has_id:
            self._notification(env.method, env.params)
            return None
        return self._request(msg_id, env.method, env.params)

    def _request(
        self, msg_id: int | str | None, method: str, params: msgspec.Raw
    ) -> _Pending | Response:
        if self.shutdown_requested:
            return error_object(msg_id, INVALID_REQUEST, "the server is shutting down")
        handler = self._handlers.get(method)
        if handler is None:
            return error_object(msg_id, METHOD_NOT_FOUND, f"unknown method `{method}`")
        if msg_id in self._inflight:
            return error_object(msg_id, INVALID_REQUEST, f"request id {msg_id!r} is in flight")
        if method == "shutdown":
            self.shutdown_requested = True
        raw = params if params and bytes(params) != b"null" else None
        task = asyncio.ensure_future(self._call(msg_id, method, handler, raw))
        self._inflight[msg_id] = task
        self._track(task)
        task.add_done_callback(lambda _: self._inflight.pop(msg_id, None))
        return _Pending(msg_id, task)

    def _notification(self, method: str, params: msgspec.Raw) -> None:
        if method == "exit":
            self.exit_code = 0 if self.shutdown_requested else 1
            self.exited.set()
        elif method == "$/cancelRequest":
            self._cancel(params)
        elif method in self._handlers:
            log.warning("`%s` sent as a notification (no id): not run, nothing to answer", method)
        elif method not in _NO_REPLY_NOTIFICATIONS:
            log.debug("ignoring notification `%s`", method)

    def _cancel(self, params: msgspec.Raw) -> None:
        try:
            target = _decode_cancel(params).id if params else None
        except (msgspec.DecodeError, RecursionError, ValueError):
            target = None
        task = self._inflight.get(target) if target is not None else None
        if task is None:
            log.debug("$/cancelRequest for %r: no such request in flight", target)
        else:
            task.cancel()

    # ------------------------------------------------------------------ calls and replies

    async def _call(
        self, msg_id: int | str | None, method: str, handler: Handler, raw: msgspec.Raw | None
    ) -> Response:
        try:
            result = await handler(raw)
        except asyncio.CancelledError:
            return cancelled_error(msg_id)
        except Exception as exc:  # every failure becomes this request's error reply
            return RpcError.from_exception(exc, method).response(msg_id)
        return {"jsonrpc": "2.0", "id": msg_id, "result": result}

    def _send(self, message: Response | list[Response]) -> None:
        try:
            body = self._encoder.encode(message)
        except (TypeError, ValueError, msgspec.EncodeError) as exc:
            log.error("could not encode a reply: %s", exc)
            msg_id = message.get("id") if isinstance(message, dict) else None
            body = self._encoder.encode(
                error_object(msg_id, -32603, "internal error: the result could not be encoded")
            )
        if trace.isEnabledFor(logging.DEBUG):
            trace.debug("--> %s", body[:4000].decode("utf-8", "replace"))
        self._write(body)

    def notify(self, method: str, params: Any) -> None:
        """Send a notification to the client (e.g. ``window/logMessage``)."""
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    # ------------------------------------------------------------------ lifecycle

    def _track(self, future: asyncio.Future[Any]) -> None:
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    async def drain(self) -> None:
        """Wait until every request received so far has been answered."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel_all(self) -> None:
        for task in list(self._inflight.values()):
            task.cancel()


def _valid_id(value: Any) -> bool:
    return value is None or isinstance(value, str) or (type(value) is int)


def _short(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)[:200]
