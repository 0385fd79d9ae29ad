"""The benchmark suite behind ``make bench``: runtime, daemon and peers against the raw-httpx floor.

Run it with ``python -m benchmarks --help``; ``benchmarks/README.md`` says what each figure means.
"""
