"""The committed static catalog is exactly what scripts/generate_catalog.py makes from genai-prices.

Skipped only when ``genai_prices`` is not installed, and never under CI (``CI=true``), where the
``test`` extra installs it. genai-prices' own price calculator then serves as an independent
oracle for both the generated prices and ``estimate_cost``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import pytest

from provider_runtime.catalog import find_model, load_static_catalog
from provider_runtime.core.types import ModelCatalog, ModelRef, Usage
from provider_runtime.pricing import PricingTable, estimate_cost

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "generate_catalog.py"

if importlib.util.find_spec("genai_prices") is None:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("genai-prices must be installed under CI (it is in the `test` extra)")
    pytest.skip("genai-prices is not installed", allow_module_level=True)


def generate(tmp_path: Path, *args: str) -> bytes:
    out = tmp_path / "catalog.json"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(out), *args],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out.read_bytes()


def committed() -> bytes:
    data = resources.files("provider_runtime.catalog").joinpath("data", "catalog.json")
    return data.read_bytes()


def test_generated_catalog_equals_the_committed_file(tmp_path: Path) -> None:
    installed = version("genai-prices")
    snapshot = load_static_catalog().snapshot or ""
    assert snapshot.startswith(f"genai-prices {installed},"), (
        f"the committed catalog is from {snapshot!r} but genai-prices {installed} is installed: "
        "run `make catalog` and commit daemon/provider_runtime/catalog/data/catalog.json"
    )
    assert generate(tmp_path) == committed()


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate(tmp_path)
    assert generate(tmp_path) == first


def test_as_of_selects_the_price_in_force_on_that_date(tmp_path: Path) -> None:
    # OpenAI cut o3 from $10/$40 to $2/$8 per MTok on 2025-06-10.
    before = json.loads(generate(tmp_path, "--as-of", "2025-06-09"))
    o3 = next(m for m in before["models"] if (m["provider"], m["id"]) == ("openai", "o3"))
    assert (o3["pricing"]["input"], o3["pricing"]["output"]) == ("10", "40")
    assert before["snapshot"].endswith(", 2025-06-09")
    now = find_model(load_static_catalog(), "openai", "o3")
    assert now is not None and now.pricing is not None
    assert (now.pricing.input, now.pricing.output) == (Decimal("2"), Decimal("8"))


def _as_of(catalog: ModelCatalog) -> dt.datetime:
    day = dt.date.fromisoformat((catalog.snapshot or "").rsplit(", ", 1)[1])
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


USAGES = [
    {"input_tokens": 1_234, "output_tokens": 567},
    {"input_tokens": 9_000, "cache_read_tokens": 4_000, "output_tokens": 100},
    # large enough to cross every long-context threshold in the data (100k ... 272k)
    {"input_tokens": 300_000, "cache_read_tokens": 50_000, "output_tokens": 10_000},
    {"input_tokens": 120_000, "cache_read_tokens": 1_000, "cache_write_tokens": 500},
]


def test_estimates_agree_with_genai_prices_own_calculator() -> None:
    import genai_prices

    catalog = load_static_catalog()
    table = PricingTable((), catalog)
    when = _as_of(catalog)
    compared = 0
    for usage in USAGES:
        for model in catalog.models:
            ours, _ = estimate_cost(
                Usage(**usage), ModelRef(provider=model.provider, id=model.id), table
            )
            assert ours is not None
            if ours.partial:  # genai-prices bills unpriced cache tokens as input instead
                continue
            theirs = genai_prices.calc_price(
                genai_prices.Usage(**usage),
                model.id,
                provider_id=model.provider,
                genai_request_timestamp=when,
            )
            assert ours.total == theirs.total_price, (model.provider, model.id, usage)
            compared += 1
    assert compared > 2_000
