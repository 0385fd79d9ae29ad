"""One thin function per RPC method: decode params into canonical types, call the runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import msgspec

from .. import __version__
from ..core.types import DiscoveryOptions, ModelRef, ProviderRequest, ProviderRuntimeWarning, Usage
from .errors import INVALID_PARAMS, RpcError, decode_params
from .rpc import Handler
from .state import RuntimeHolder

__all__ = ["METHODS", "PROTOCOL_VERSION", "InitializeParams", "Session", "handler_table"]

PROTOCOL_VERSION = "1"

# Requests first, then the notifications the server acts on.
METHODS = [
    "initialize",
    "shutdown",
    "runtime/run",
    "runtime/countTokens",
    "runtime/price",
    "runtime/models",
    "runtime/catalog",
    "runtime/reloadConfig",
    "exit",
    "$/cancelRequest",
]

WARNING_MESSAGE_TYPE = 2  # window/logMessage MessageType.Warning
_WARM_UP_DELAY = 0.01  # seconds: lets the initialize reply go out first


class InitializeParams(msgspec.Struct, kw_only=True):
    """Tolerant on purpose: LSP clients send processId, capabilities, rootUri... (ignored)."""

    clientInfo: dict[str, Any] | None = None  # LSP's spelling
    warningNotifications: bool = False  # also send warnings as window/logMessage


class PriceParams(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``runtime/price``: one model or a list of them, and the usage to price (counts >= 0)."""

    model: str | ModelRef | list[str | ModelRef]
    usage: Usage


@dataclass
class Session:
    holder: RuntimeHolder
    notify: Callable[[str, Any], None] = lambda method, params: None
    max_message_bytes: int = 0
    warning_notifications: bool = False
    client_info: dict[str, Any] | None = field(default=None)

    def report(self, warnings: list[ProviderRuntimeWarning]) -> None:
        if self.warning_notifications:
            for w in warnings:
                message = f"[{w.code}] {w.message}"
                self.notify("window/logMessage", {"type": WARNING_MESSAGE_TYPE, "message": message})


async def initialize(session: Session, raw: msgspec.Raw | None) -> dict[str, Any]:
    params = decode_params(raw, InitializeParams)
    # Build the runtime just after this answer is written, before the first call needs it.
    asyncio.get_running_loop().call_later(_WARM_UP_DELAY, session.holder.warm)
    session.warning_notifications = params.warningNotifications
    session.client_info = params.clientInfo
    loaded, error = session.holder.current, session.holder.error
    return {
        "serverInfo": {"name": "provider-runtime", "version": __version__},
        "protocolVersion": PROTOCOL_VERSION,
        "methods": METHODS,
        **session.holder.describe(),
        "warnings": loaded.config.warnings if loaded is not None else [],
        "configError": RpcError.from_exception(error, "initialize").as_error() if error else None,
        "limits": {"maxMessageBytes": session.max_message_bytes},
    }


async def shutdown(session: Session, raw: msgspec.Raw | None) -> None:
    return None  # the dispatcher already refuses new requests; `exit` ends the process


async def run(session: Session, raw: msgspec.Raw | None) -> Any:
    request = decode_params(raw, ProviderRequest, required=True)
    async with session.holder.use() as runtime:
        response = await runtime.run(request)
    session.report(response.warnings)
    return response


async def count_tokens(session: Session, raw: msgspec.Raw | None) -> Any:
    request = decode_params(raw, ProviderRequest, required=True)
    async with session.holder.use() as runtime:
        count = await runtime.count_tokens(request)
    session.report(count.warnings)
    return count


async def price(session: Session, raw: msgspec.Raw | None) -> dict[str, Any]:
    from ..runtime import usage_problem  # deferred, as the runtime itself is

    params = decode_params(raw, PriceParams, required=True)
    models = params.model if isinstance(params.model, list) else [params.model]
    if not models:
        raise RpcError(
            INVALID_PARAMS,
            "invalid params at `params.model`: give at least one model",
            {"path": "params.model"},
        )
    problem = usage_problem(params.usage)
    if problem is not None:
        path = f"params.usage.{problem[0]}"
        raise RpcError(INVALID_PARAMS, f"invalid params at `{path}`: {problem[1]}", {"path": path})
    async with session.holder.use() as runtime:
        quotes = runtime.price(models, params.usage)
    session.report([w for quote in quotes for w in quote.warnings])
    return {"prices": quotes}


async def models(session: Session, raw: msgspec.Raw | None) -> Any:
    options = decode_params(raw, DiscoveryOptions)
    async with session.holder.use() as runtime:
        result = await runtime.discover_models(options)
    session.report(result.warnings)
    return result


async def catalog(session: Session, raw: msgspec.Raw | None) -> Any:
    async with session.holder.use() as runtime:
        return runtime.catalog_object()


async def reload_config(session: Session, raw: msgspec.Raw | None) -> dict[str, Any]:
    loaded = await session.holder.reload()
    return {**session.holder.describe(), "warnings": loaded.config.warnings}


def handler_table(session: Session) -> dict[str, Handler]:
    return {
        "initialize": partial(initialize, session),
        "shutdown": partial(shutdown, session),
        "runtime/run": partial(run, session),
        "runtime/countTokens": partial(count_tokens, session),
        "runtime/price": partial(price, session),
        "runtime/models": partial(models, session),
        "runtime/catalog": partial(catalog, session),
        "runtime/reloadConfig": partial(reload_config, session),
    }
