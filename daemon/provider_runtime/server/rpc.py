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
from functools import partial
from typing import Any

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


class _Batch:
    """A batch's replies in item order, sent whole when the last one is filled in."""

    def __init__(self) -> None:
        self.replies: list[Response | None] = []
        self.waiting = 0

    def reserve(self) -> int:
        self.replies.append(None)
        self.waiting += 1
        return len(self.replies) - 1


class _CancelParams(msgspec.Struct):
    id: int | str


_To = tuple[_Batch | None, int]  # where a request's reply goes: sent alone, or a batch's slot

_decode_message = msgspec.json.Decoder(_Envelope | list[msgspec.Raw]).decode
_decode_envelope = msgspec.json.Decoder(_Envelope).decode
_decode_cancel = msgspec.json.Decoder(_CancelParams).decode


class Dispatcher:
    """Feeds decoded frames to handlers, one asyncio task per request; replies via ``write``.

    Each request's task writes its reply itself, the moment it has it (a batch's last item
    writes the batch's reply), rather than from a done-callback one loop iteration later.

    ``write`` receives one encoded JSON body per message and must write it whole (the caller
    frames it); it is only called from the event loop thread, so two replies never interleave.
    """

    def __init__(self, handlers: Mapping[str, Handler], write: Callable[[bytes], None]) -> None:
        self._handlers = dict(handlers)
        self._write = write
        self._encoder = msgspec.json.Encoder()
        self._inflight: dict[int | str | None, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
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
        immediate = self._accept(message, None)
        if immediate is not None:
            self._send(immediate)

    def reject_frame(self, message: str, *, too_large: bool = False) -> None:
        """Answer a message the framing layer could not read (there is no id to answer to)."""
        self._send(error_object(None, INVALID_REQUEST if too_large else PARSE_ERROR, message))

    def _feed_batch(self, items: list[msgspec.Raw]) -> None:
        if not items:
            self._send(error_object(None, INVALID_REQUEST, "an empty batch is not a request"))
            return
        batch = _Batch()
        for item in items:
            try:
                immediate = self._accept(_decode_envelope(item), batch)
            except (msgspec.DecodeError, RecursionError, ValueError):
                immediate = error_object(None, INVALID_REQUEST, "a batch item must be an object")
            if immediate is not None:
                batch.replies.append(immediate)
        if batch.replies and not batch.waiting:
            self._send([r for r in batch.replies if r is not None])  # none waiting: no None left

    def _accept(self, env: _Envelope, batch: _Batch | None) -> Response | None:
        """Start a request's task, or return its immediate error reply; None if neither the
        caller nor anyone has anything to send now (a notification, or a task started)."""
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
        return self._request(msg_id, env.method, env.params, batch)

    def _request(
        self, msg_id: MsgId, method: str, params: msgspec.Raw, batch: _Batch | None
    ) -> Response | None:
        if self.shutdown_requested:
            return error_object(msg_id, INVALID_REQUEST, "the server is shutting down")
        handler = self._handlers.get(method)
        if handler is None:
            return error_object(msg_id, METHOD_NOT_FOUND, f"unknown method `{method}`")
        if msg_id in self._inflight:
            return error_object(msg_id, INVALID_REQUEST, f"request id {msg_id!r} is in flight")
        if method == "shutdown":
            self.shutdown_requested = True
        raw = params if params and (len(params) != 4 or bytes(params) != b"null") else None
        slot = batch.reserve() if batch is not None else 0
        task = asyncio.ensure_future(self._call(msg_id, method, handler, raw, (batch, slot)))
        self._inflight[msg_id] = task
        self._tasks.add(task)
        task.add_done_callback(partial(self._finished, msg_id, (batch, slot)))
        return None

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
        self, msg_id: MsgId, method: str, handler: Handler, raw: msgspec.Raw | None, to: _To
    ) -> None:
        response: Response
        try:
            result = await handler(raw)
        except asyncio.CancelledError:
            response = cancelled_error(msg_id)
        except Exception as exc:  # every failure becomes this request's error reply
            response = RpcError.from_exception(exc, method).response(msg_id)
        else:
            response = {"jsonrpc": "2.0", "id": msg_id, "result": result}
        self._answer(msg_id, response, to)

    def _finished(self, msg_id: MsgId, to: _To, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():  # cancelled before it started, so `_call` never ran
            self._answer(msg_id, cancelled_error(msg_id), to)

    def _answer(self, msg_id: MsgId, response: Response, to: _To) -> None:
        del self._inflight[msg_id]  # ids in flight are unique, so this entry is the caller's
        batch, slot = to
        if batch is None:
            self._send(response)
            return
        batch.replies[slot] = response
        batch.waiting -= 1
        if not batch.waiting:
            self._send([r for r in batch.replies if r is not None])  # none waiting: no None left

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
