"""Measure one driver in a fresh process: warm up, then 1 in flight, then K in flight.

``python -m benchmarks.worker '<json spec>'`` prints one JSON object on stdout. A process per
driver keeps one library's imports, patches and pools from touching another's figures.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import traceback
from typing import Any

from .drivers import DRIVERS, DriverUnavailable
from .measure import run_paired, run_phase


async def measure_driver(spec: dict[str, Any]) -> dict[str, Any]:
    cls = DRIVERS[spec["driver"]]
    out: dict[str, Any] = {"driver": cls.name, "label": cls.label, "api": spec["api"]}
    try:
        driver = cls(spec["api"], spec["base_url"], spec.get("options", {}))
        out["version"] = driver.version()
        opened = time.perf_counter()
        await driver.open()
        out["open_ms"] = round((time.perf_counter() - opened) * 1000, 2)
    except DriverUnavailable as exc:
        return {**out, "available": False, "reason": str(exc)}
    out["available"] = True
    try:
        await _warm_up(driver, spec)
        phases = []
        for inflight, calls in ((1, spec["calls"]), (spec["inflight"], spec["concurrent_calls"])):
            phase = await run_phase(
                driver.call, inflight=inflight, calls=calls, max_seconds=spec["max_seconds"]
            )
            phases.append(phase.to_json())
        out["phases"] = phases
    finally:
        await driver.aclose()
    return out


async def measure_paired(spec: dict[str, Any]) -> dict[str, Any]:
    """Several drivers in one process, one call each in turn, 1 in flight (``run_paired``)."""
    opened: dict[str, Any] = {}
    out: dict[str, Any] = {"api": spec["api"], "drivers": {}}
    try:
        for name in spec["paired"]:
            cls = DRIVERS[name]
            entry: dict[str, Any] = {"label": cls.label}
            out["drivers"][name] = entry
            try:
                driver = cls(spec["api"], spec["base_url"], spec.get("options", {}))
                entry["version"] = driver.version()
                await driver.open()
            except DriverUnavailable as exc:
                entry.update(available=False, reason=str(exc))
                continue
            opened[name] = driver
            entry["available"] = True
            await run_phase(driver.call, inflight=1, calls=spec["warmup"], max_seconds=10)
        phases = await run_paired(
            {name: d.call for name, d in opened.items()},
            each=spec["calls"],
            max_seconds=spec["max_seconds"],
            block=spec.get("block", 1),
        )
        for name, phase in phases.items():
            out["drivers"][name]["phase"] = phase.to_json()
    finally:
        for driver in opened.values():
            await driver.aclose()
    return out


async def _warm_up(driver: Any, spec: dict[str, Any]) -> None:
    """Open every pooled connection the loaded phase will use and let caches fill."""
    warm = spec.get("warmup", 0)
    if warm <= 0:
        return
    await run_phase(driver.call, inflight=1, calls=warm, max_seconds=spec["max_seconds"])
    await run_phase(
        driver.call,
        inflight=spec["inflight"],
        calls=max(warm, spec["inflight"] * 2),
        max_seconds=spec["max_seconds"],
    )


def main() -> None:
    spec = json.loads(sys.argv[1])
    try:
        measure = measure_paired if "paired" in spec else measure_driver
        result = asyncio.run(measure(spec))
    except Exception as exc:
        result = {
            "driver": spec.get("driver"),
            "api": spec.get("api"),
            "available": True,
            "failed": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(limit=8),
        }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
