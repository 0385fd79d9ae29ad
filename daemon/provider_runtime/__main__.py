"""``python -m provider_runtime``: the same entry point as the ``provider-runtime`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
