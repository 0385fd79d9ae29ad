"""Command-line entry point (the daemon issue fills in ``serve``, ``run``, ``models``...)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="provider-runtime", description=__doc__)
    parser.add_argument("--version", action="version", version=f"provider-runtime {__version__}")
    parser.parse_args(argv)
    parser.print_help()
    return 0
