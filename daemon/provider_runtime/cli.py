"""The ``provider-runtime`` command: ``serve`` (the daemon) and one-shot ``run``, ``count``,
``price``, ``models``, ``catalog`` and ``config`` on the same runtime. Human-readable output by
default, ``--json`` for scripts; on error a non-zero status and one line on stderr (and, with
``--json`` for ``run``, ``count`` and ``price``, the JSON-RPC error object on stdout).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import select
import stat
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__

if TYPE_CHECKING:
    from .config import RuntimeConfig
    from .core.types import ListedModel, ProviderRequest, ProviderResponse, ProviderRuntimeWarning
    from .runtime import ProviderRuntime

__all__ = ["main"]

EXIT_ERROR = 1  # the runtime or a provider failed
EXIT_USAGE = 2  # bad arguments or a malformed request (argparse uses 2 as well)
DEFAULT_MODEL = "echo/echo-1"


EXIT_INTERRUPTED = 130
EXIT_STATUSES = f"""exit status:
  0    success
  {EXIT_ERROR}    the runtime or a provider failed (the error's kind is shown in brackets)
  {EXIT_USAGE}    bad arguments, or a malformed request or prompt
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
On failure one line goes to stderr; `run --json` also prints {{"error": {{code, message,
data}}}} on stdout, the error object the daemon would answer (protocol.md §2, §8.6)."""


class UsageError(Exception):
    """Bad input from the command line or stdin; ``error`` is its JSON-RPC error object."""

    def __init__(self, message: str, error: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.error = error or {"code": -32602, "message": message}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    from .core.errors import ProviderRuntimeError

    as_json = bool(getattr(args, "json", False)) and command in (_run, _count, _price)
    try:
        return command(args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE, exc.error if as_json else None)
    except ProviderRuntimeError as exc:
        error = _error_object(exc) if as_json else None
        return _fail(f"{exc} [{exc.kind.value}]", EXIT_ERROR, error)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `provider-runtime models | head`
        return 0


def _fail(message: str, status: int, error: dict[str, Any] | None = None) -> int:
    """One line on stderr; with ``error``, also ``{"error": ...}`` on stdout for scripts."""
    if error is not None:
        _print_json({"error": error})
    print(f"provider-runtime: error: {' '.join(message.split())}", file=sys.stderr)
    return status


def _error_object(exc: Exception) -> dict[str, Any]:
    from .server.errors import RpcError

    return RpcError.from_exception(exc, "runtime/run").as_error()


# --------------------------------------------------------------------------- arguments


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provider-runtime",
        description="One canonical request and response for every LLM provider.",
        epilog=textwrap.fill(f"The config file: --config PATH, else {_SEARCHED}.", 79)
        + f"\n\n{EXIT_STATUSES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"provider-runtime {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help=f"config file (default: {_SEARCHED})")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run the stdio JSON-RPC daemon")
    serve.add_argument("--framing", choices=["lines", "content-length"], default=None)
    serve.add_argument("--log-level", default="warning", choices=_LOG_LEVELS)
    serve.add_argument("--max-message-bytes", type=_positive_int, default=64 * 1024 * 1024)
    serve.set_defaults(command=_serve)

    run = sub.add_parser(
        "run",
        parents=[common],
        help="one call: PROMPT, or request JSON on stdin",
        description="One call. The request is PROMPT, or stdin: a JSON object is a request "
        "(ProviderRequest), other JSON is refused, anything else is the prompt text. PROMPT "
        "and input on stdin together are refused.",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("prompt", nargs="?", metavar="PROMPT", help='text, or "-" to read stdin')
    run.add_argument(
        "--model", "-m", help=f"provider/model (default: config, else {DEFAULT_MODEL})"
    )
    run.add_argument("--system", "-s", help="a system prompt to put first")
    run.add_argument(
        "--json",
        action="store_true",
        help='print the ProviderResponse as JSON (on failure: {"error": ...} on stdout)',
    )
    run.set_defaults(command=_run)

    from .cli_measure import add_measure_commands

    add_measure_commands(
        sub, common, count=_count, price=_price, default_model=DEFAULT_MODEL, epilog=EXIT_STATUSES
    )

    models = sub.add_parser("models", parents=[common], help="list the catalog's models")
    models.add_argument("--remote", action="store_true", help="also ask the providers' APIs")
    models.add_argument("--provider", action="append", help="only this provider (repeatable)")
    models.add_argument("--json", action="store_true", help="print models and warnings as JSON")
    models.set_defaults(command=_models)

    catalog = sub.add_parser("catalog", parents=[common], help="print the catalog as JSON")
    catalog.set_defaults(command=_catalog)

    config = sub.add_parser("config", parents=[common], help="show the resolved config (masked)")
    config.add_argument("--json", action="store_true", help="print it as JSON")
    config.set_defaults(command=_config)
    return parser


_LOG_LEVELS = ["error", "warning", "info", "debug", "trace"]
_SEARCHED = (
    "$PROVIDER_RUNTIME_CONFIG if set, else the first that exists of "
    "$XDG_CONFIG_HOME/provider-runtime/config.toml and ~/.config/provider-runtime/config.toml; "
    "none: built-in defaults"
)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


# --------------------------------------------------------------------------- commands


def _serve(args: argparse.Namespace) -> int:
    from .server import Framing, ServeOptions, serve

    options = ServeOptions(
        config_path=args.config,
        framing=Framing(args.framing) if args.framing else None,
        max_message_bytes=args.max_message_bytes,
    )
    return serve(options, log_level=args.log_level)


def _load(
    args: argparse.Namespace, *, fallback: bool = True, show_warnings: bool = True
) -> RuntimeConfig:
    """The config; a file that cannot be used leaves the built-in echo provider alone (its
    other calls get the file's error), unless ``fallback`` is off: then that error is raised.
    ``show_warnings`` prints the config's warnings on stderr (off where the output lists them).
    """
    from .config import fallback_config, load_config
    from .core.errors import ConfigError

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        if not fallback:
            raise
        print(f"warning: {exc}; only the built-in echo provider is available", file=sys.stderr)
        return fallback_config(exc)
    for warning in config.warnings if show_warnings else ():
        print(f"warning: [{warning.code}] {warning.message}", file=sys.stderr)
    return config


def _runtime(config: RuntimeConfig) -> ProviderRuntime:
    from .assembly import build_runtime

    return build_runtime(config)


def _run(args: argparse.Namespace) -> int:
    config = _load(args)
    request = _build_request(args, config, sys.stdin)

    async def call() -> ProviderResponse:
        async with _runtime(config) as runtime:
            return await runtime.run(request)

    response = asyncio.run(call())
    if args.json:
        _print_json(response)
    else:
        _print_response(response, sys.stdout, sys.stderr)
    return 0


def _count(args: argparse.Namespace) -> int:
    from .cli_measure import count_line

    config = _load(args)
    request = _build_request(args, config, sys.stdin)

    async def count() -> Any:
        async with _runtime(config) as runtime:
            return await runtime.count_tokens(request)

    result = asyncio.run(count())
    if args.json:
        _print_json(result)
    else:
        print(count_line(result))
        _print_warnings(result.warnings, sys.stderr)
    return 0


def _price(args: argparse.Namespace) -> int:
    from .cli_measure import price_lines, usage_from_args

    usage, problem = usage_from_args(args)
    if problem is not None:
        raise UsageError(problem)
    config = _load(args)
    runtime = _runtime(config)
    try:
        quotes = runtime.price(args.model, usage)
    finally:
        asyncio.run(runtime.aclose())
    if args.json:
        _print_json({"prices": quotes})
        return 0
    for line in price_lines(quotes):
        print(line)
    _print_warnings([w for q in quotes for w in q.warnings], sys.stderr)
    return 0


def _models(args: argparse.Namespace) -> int:
    from .core.types import DiscoveryOptions

    config = _load(args)
    options = DiscoveryOptions(remote=args.remote, providers=args.provider)

    async def discover() -> Any:
        async with _runtime(config) as runtime:
            return await runtime.discover_models(options)

    result = asyncio.run(discover())
    if args.json:
        _print_json(result)
        return 0
    _print_warnings(result.warnings, sys.stderr)
    for line in _model_table(result.models):
        print(line)
    return 0


def _catalog(args: argparse.Namespace) -> int:
    config = _load(args)
    runtime = _runtime(config)
    try:
        data = runtime.export_catalog_json()
    finally:
        asyncio.run(runtime.aclose())
    sys.stdout.buffer.write(data if data.endswith(b"\n") else data + b"\n")
    return 0


def _config(args: argparse.Namespace) -> int:
    from .config import describe_config, search_paths

    described = {  # its output lists the warnings: not printed on stderr too
        **describe_config(_load(args, fallback=False, show_warnings=False)),
        "searched": search_paths(),
    }
    if args.json:
        _print_json(described)
    else:
        for line in _config_lines(described):
            print(line)
    return 0


# --------------------------------------------------------------------------- requests


def _build_request(
    args: argparse.Namespace, config: RuntimeConfig, stdin: TextIO
) -> ProviderRequest:
    """From PROMPT, or from stdin: a JSON object is a request, other JSON is refused, and any
    other text is the prompt. PROMPT with input on stdin is refused: one of them would be lost.
    """
    import msgspec

    from .core.types import ProviderRequest
    from .server.errors import RpcError, decode_params

    model = args.model if args.model is not None else config.default_model or DEFAULT_MODEL
    system = [{"role": "system", "content": args.system}] if args.system else []
    if args.prompt is not None and args.prompt != "-":
        if _waiting_input(stdin).strip():
            raise UsageError(
                "both PROMPT and input on stdin: give the prompt as PROMPT with nothing on "
                "stdin (`</dev/null`), or the request or prompt on stdin without PROMPT"
            )
        body: dict[str, Any] = {"model": model, "messages": [*system, _user(args.prompt)]}
    elif args.prompt is None and stdin.isatty():
        raise UsageError("give a PROMPT, or pipe a prompt or a request (JSON) into stdin")
    else:
        text = stdin.read()
        parsed = _json_value(text)
        if parsed is _NOT_JSON:
            body = {"model": model, "messages": [*system, _user(text.rstrip("\n"))]}
        else:
            body = _request_object(parsed)
            body["messages"] = [*system, *body.get("messages", [])]
            if args.model is not None or "model" not in body:
                body["model"] = model
    try:
        return decode_params(msgspec.Raw(msgspec.json.encode(body)), ProviderRequest)
    except RpcError as exc:
        raise UsageError(exc.message, exc.as_error()) from None


def _waiting_input(stdin: TextIO) -> str:
    """What already waits on stdin, read without ever blocking: a file is peeked at (not
    consumed), a pipe or socket is read only when it has data or its end now. A terminal,
    /dev/null, or a pipe left open with nothing in it (a caller spawning the command with
    stdio pipes it never closes) gives "": PROMPT alone decides then, without waiting."""
    try:
        fd = stdin.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError):  # a stream without a descriptor (io.StringIO, pytest's)
        return ""
    if stat.S_ISREG(mode):
        return os.pread(fd, _PEEK_BYTES, os.lseek(fd, 0, os.SEEK_CUR)).decode(errors="replace")
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        ready, _, _ = select.select([fd], [], [], 0)
        return os.read(fd, _PEEK_BYTES).decode(errors="replace") if ready else ""
    return ""


_PEEK_BYTES = 64 * 1024


def _user(text: str) -> dict[str, Any]:
    if not text.strip():
        raise UsageError("the prompt is empty")
    return {"role": "user", "content": text}


_NOT_JSON = object()


def _json_value(text: str) -> Any:
    """The JSON value ``text`` holds, or ``_NOT_JSON`` for prompt text. Text starting with
    ``{`` is meant as a request, so invalid JSON there is an error, not a prompt."""
    import msgspec

    try:
        return msgspec.json.decode(text.encode())
    except msgspec.DecodeError as exc:
        if text.lstrip().startswith("{"):
            raise UsageError(f"the request on stdin is not valid JSON: {exc}") from None
        return _NOT_JSON


def _request_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean"}.get(type(body), "a number")
        kind = "null" if body is None else kind
        raise UsageError(
            f"the JSON on stdin is {kind}, not a request object "
            '({"model": ..., "messages": [...]}); to send text as the prompt, give it as PROMPT'
        )
    if not isinstance(body.get("messages", []), list):
        raise UsageError("invalid request: `messages` must be an array")
    return body


# --------------------------------------------------------------------------- output


def _print_json(value: Any) -> None:
    import msgspec

    sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n")


def _print_response(response: ProviderResponse, out: TextIO, err: TextIO) -> None:
    """The answer on stdout (text, then one line per tool call); the rest on stderr."""
    import msgspec

    if response.output.text:
        print(response.output.text, file=out)
    for call in response.output.tool_calls:
        args = call.raw_arguments or msgspec.json.encode(call.arguments).decode()
        print(f"tool call {call.name} {args} (id {call.id})", file=out)
    usage = response.usage
    cost = "cost unknown"
    if response.cost is not None:
        partial = ", partial" if response.cost.partial else ""
        cost = f"cost ${response.cost.total} ({response.cost.source.value}{partial})"
    print(
        f"[{response.provider}/{response.model} · {response.finish_reason.value} · "
        f"{usage.input_tokens} in / {usage.output_tokens} out tokens · {cost}]",
        file=err,
    )
    _print_warnings(response.warnings, err)


def _print_warnings(warnings: Sequence[ProviderRuntimeWarning], err: TextIO) -> None:
    for warning in warnings:
        print(f"warning: [{warning.code}] {warning.message}", file=err)


def _model_table(models: Sequence[ListedModel]) -> list[str]:
    head = ("MODEL", "CONTEXT", "TOOLS", "VISION", "SCHEMA", "$/M IN", "$/M OUT", "SOURCE", "API")
    rows = [head]
    for m in models:
        caps = m.capabilities
        price = m.pricing
        rows.append(
            (
                f"{m.provider}/{m.id}",
                str(m.context_window) if m.context_window is not None else "-",
                _flag(caps.tools),
                _flag(caps.vision),
                _flag(caps.json_schema),
                str(price.input) if price is not None and price.input is not None else "-",
                str(price.output) if price is not None and price.output is not None else "-",
                m.source,
                m.api or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def _flag(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


def _config_lines(described: dict[str, Any]) -> list[str]:
    lines = [
        f"config file:   {described.get('path') or 'none (built-in defaults)'}",
        f"searched:      {', '.join(described.get('searched', []))}",
        f"default model: {described.get('default_model') or f'{DEFAULT_MODEL} (built-in)'}",
        "providers:",
    ]
    for pid, p in described.get("providers", {}).items():
        where = p.get("base_url") or "(offline)"
        lines.append(f"  {pid:<14} {p.get('type', ''):<18} {where}")
        lines.append(f"  {'':<14} credential: {p.get('credential')}")
    rules = described.get("pricing", [])
    lines.append(f"pricing rules: {len(rules)}")
    lines += [f"  {r['provider']}/{r['model']}: {_prices(r.get('pricing', {}))}" for r in rules]
    extra = described.get("models", [])
    lines.append(f"extra models:  {len(extra)}")
    lines += [f"  {m['provider']}/{m['id']}" for m in extra]
    lines += [f"warning: [{w['code']}] {w['message']}" for w in described.get("warnings", [])]
    return lines


def _prices(pricing: dict[str, Any]) -> str:
    keys = ("input", "output", "cache_read", "cache_write")
    shown = [f"{k} {pricing[k]}" for k in keys if pricing.get(k) is not None]
    return ", ".join(shown) + " USD/M tokens" if shown else "no prices"
