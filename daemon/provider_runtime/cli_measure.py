"""The ``count`` and ``price`` commands' arguments and output (``cli.py`` runs them): one
line per result on stdout, warnings on stderr. Nothing here calls the runtime."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.types import CostBreakdown, TokenCount, Usage
    from .runtime import PriceQuote

__all__ = ["add_measure_commands", "count_line", "price_lines", "usage_from_args"]

Command = Callable[[argparse.Namespace], int]


def add_measure_commands(
    sub: Any,
    common: argparse.ArgumentParser,
    *,
    count: Command,
    price: Command,
    default_model: str,
    epilog: str,
) -> None:
    """The ``count`` and ``price`` subcommands, running ``count`` and ``price``."""
    counting = sub.add_parser(
        "count",
        parents=[common],
        help="count a prompt's tokens for a model, without calling it",
        description="The prompt's input tokens for MODEL (runtime/countTokens): the provider's "
        "count where it has a counting endpoint, else an offline estimate. The request is "
        "PROMPT, or stdin as for `run`.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    counting.add_argument("prompt", nargs="?", metavar="PROMPT", help='text, or "-" to read stdin')
    counting.add_argument(
        "--model", "-m", help=f"provider/model (default: config, else {default_model})"
    )
    counting.add_argument("--system", "-s", help="a system prompt to put first")
    counting.add_argument("--json", action="store_true", help="print the TokenCount as JSON")
    counting.set_defaults(command=count)

    pricing = sub.add_parser(
        "price",
        parents=[common],
        help="what a usage would cost on one or more models (no call)",
        description="Price a usage as a call of each MODEL would have been priced "
        "(runtime/price). Cache and reasoning counts are parts of --input and --output.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    pricing.add_argument(
        "--model", "-m", action="append", required=True, help="provider/model (repeatable)"
    )
    for flag, what in _USAGE_FLAGS.items():
        pricing.add_argument(f"--{flag}", type=_count_arg, default=0, metavar="N", help=what)
    pricing.add_argument("--json", action="store_true", help="print the prices as JSON")
    pricing.set_defaults(command=price)


_USAGE_FLAGS = {
    "input": "input tokens, cached ones included",
    "output": "output tokens, reasoning included",
    "cache-read": "the part of --input read from the cache",
    "cache-write": "the part of --input written to the cache",
    "cache-write-1h": "the part of --cache-write written for one hour",
    "reasoning": "the part of --output spent on reasoning",
}


def _count_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def usage_from_args(args: argparse.Namespace) -> tuple[Usage, str | None]:
    """The ``Usage`` the flags give, and what is inconsistent about it (naming the flag)."""
    from .core.types import Usage
    from .runtime import usage_problem

    usage = Usage(
        input_tokens=args.input,
        output_tokens=args.output,
        cache_read_tokens=args.cache_read,
        cache_write_tokens=args.cache_write,
        cache_write_1h_tokens=args.cache_write_1h,
        reasoning_tokens=args.reasoning,
        total_tokens=args.input + args.output,
    )
    problem = usage_problem(usage)
    if problem is None:
        return usage, None
    flag = problem[0].removesuffix("_tokens").replace("_", "-")
    return usage, f"--{flag}: {problem[1]}"


def count_line(count: TokenCount) -> str:
    """``13 input tokens for echo/echo-1 (estimate) · context window 32768 · fits``."""
    how = "exact, counted by the provider" if count.exact else f"{count.source}, not exact"
    line = f"{count.input_tokens} input tokens for {count.provider}/{count.model} ({how})"
    if count.context_window is not None:
        line += f" · context window {count.context_window}"
    if count.fits is not None:
        line += " · fits" if count.fits else " · does NOT fit with the output reserved"
    return line


def price_lines(quotes: Sequence[PriceQuote]) -> list[str]:
    """One line per model: its total and breakdown, or that no price is known."""
    return [f"{q.provider}/{q.model}: {_cost(q.cost)}" for q in quotes]


def _cost(cost: CostBreakdown | None) -> str:
    if cost is None:
        return "no price known"
    parts = [
        f"{name} ${value}"
        for name, value in (
            ("input", cost.input),
            ("output", cost.output),
            ("cache read", cost.cache_read),
            ("cache write", cost.cache_write),
        )
        if value is not None
    ]
    partial = f", partial: no {', '.join(cost.missing_components)} price" if cost.partial else ""
    snapshot = f", {cost.snapshot}" if cost.snapshot else ""
    return f"${cost.total} ({'; '.join(parts)}) [{cost.source.value}{snapshot}{partial}]"
