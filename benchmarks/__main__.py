"""Entry point of ``python -m benchmarks`` (see ``benchmarks/run.py``)."""

from .run import main

if __name__ == "__main__":
    main()
