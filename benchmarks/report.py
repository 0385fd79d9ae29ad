"""Ratios to the floor, the issue's targets, and the plain-text table printed after a run.

Every latency is also given as a multiple of the raw-httpx floor's measured in the same run
(lower is better); every throughput as a fraction of the floor's (higher is better).
"""

from __future__ import annotations

from typing import Any

FLOOR = "httpx"
DAEMON = "daemon"
LIBRARY = "runtime"
PEERS = ("openai-sdk", "anthropic-sdk", "litellm", "any-llm")
# What-if rows (benchmarks/sharded_pool.py swapped in): checked too, but labelled as such.
PROTOTYPES = {DAEMON: "daemon-sharded", LIBRARY: "runtime-sharded"}
# Measured together, one call of each in turn (worker.measure_paired), for the 1-in-flight ratios.
PAIRED = (FLOOR, LIBRARY, DAEMON, "daemon-own-install")


def add_ratios(runs: list[dict[str, Any]]) -> None:
    """Annotate each phase with ``p50_x_floor``, ``p99_x_floor``, ``cps_x_floor`` in place."""
    floors = {
        (r["api"], p["inflight"]): p
        for r in runs
        if r["driver"] == FLOOR and r.get("phases")
        for p in r["phases"]
    }
    for run in runs:
        for phase in run.get("phases") or []:
            floor = floors.get((run["api"], phase["inflight"]))
            phase["p50_x_floor"] = _ratio(phase.get("p50_ms"), floor and floor.get("p50_ms"))
            phase["p99_x_floor"] = _ratio(phase.get("p99_ms"), floor and floor.get("p99_ms"))
            phase["cps_x_floor"] = _ratio(
                phase.get("calls_per_second"), floor and floor.get("calls_per_second")
            )


def add_paired_ratios(paired: dict[str, Any]) -> None:
    """``p50_x_floor`` and ``p99_x_floor`` of each paired driver, to the floor of its pairing."""
    for result in paired.values():
        drivers = result.get("drivers") or {}
        floor = (drivers.get(FLOOR) or {}).get("phase") or {}
        for entry in drivers.values():
            phase = entry.get("phase")
            if phase:
                phase["p50_x_floor"] = _ratio(phase.get("p50_ms"), floor.get("p50_ms"))
                phase["p99_x_floor"] = _ratio(phase.get("p99_ms"), floor.get("p99_ms"))


def _paired_phase(result: dict[str, Any], api: str, driver: str) -> dict[str, Any]:
    drivers = ((result.get("paired") or {}).get(api) or {}).get("drivers") or {}
    phase: dict[str, Any] = (drivers.get(driver) or {}).get("phase") or {}
    return phase


def _ratio(value: float | None, floor: float | None) -> float | None:
    return round(value / floor, 3) if value and floor else None


def _phase(runs: list[dict[str, Any]], api: str, driver: str, index: int) -> dict[str, Any]:
    for run in runs:
        if run["api"] == api and run["driver"] == driver and run.get("phases"):
            phase: dict[str, Any] = run["phases"][index]
            return phase
    return {}


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it was met (None: unknown)."""
    runs = result["runs"]
    targets: list[dict[str, Any]] = []
    for api in result["settings"]["apis"]:
        for daemon, library in ((DAEMON, LIBRARY), (PROTOTYPES[DAEMON], PROTOTYPES[LIBRARY])):
            if _phase(runs, api, daemon, 0) or _phase(runs, api, library, 0):
                targets += _per_api_targets(result, api, daemon, library)
    startup = result.get("startup") or {}
    init = (startup.get("spawn_to_initialize_ms") or {}).get("median")
    targets.append(
        _target("daemon: spawn to initialize answer (median)", "< 500 ms", init, _below(init, 500))
    )
    watched = (startup.get("imports_before_initialize") or {}).get("watched") or {}
    heavy = [m for m in ("lsprotocol.types", "pygls") if watched.get(m) is not None]
    met = not heavy if startup else None
    targets.append(
        _target(
            "lsprotocol.types or pygls imported before initialize",
            "none",
            ", ".join(heavy) or "none",
            met,
        )
    )
    growth = (result.get("memory") or {}).get("growth_percent_after_first")
    targets.append(
        _target(
            "daemon RSS growth, first 100 -> all calls", "<= 10 %", growth, _at_most(growth, 10.0)
        )
    )
    return targets


def _below(value: float | None, limit: float) -> bool | None:
    return None if value is None else value < limit


def _per_api_targets(
    result: dict[str, Any], api: str, daemon: str, library: str
) -> list[dict[str, Any]]:
    """1 in flight: the paired figures where measured (robust to load), else the rounds'."""
    runs = result["runs"]
    out = []
    for driver, limit in ((daemon, 1.3), (library, 1.15)):
        ratio = _paired_phase(result, api, driver).get("p50_x_floor")
        how = "paired"
        if ratio is None:
            ratio, how = _phase(runs, api, driver, 0).get("p50_x_floor"), "rounds"
        out.append(
            _target(
                f"{api}: {driver} p50, 1 in flight ({how})",
                f"<= {limit}x floor",
                ratio,
                _at_most(ratio, limit),
            )
        )
    loaded = _phase(runs, api, daemon, 1)
    ratio = loaded.get("cps_x_floor")
    out.append(
        _target(
            f"{api}: {daemon} calls/s, K in flight", ">= 0.9x floor", ratio, _at_least(ratio, 0.9)
        )
    )
    peers = [
        r["phases"][1].get("calls_per_second") or 0.0
        for r in runs
        if r["api"] == api and r["driver"] in PEERS and r.get("phases")
    ]
    best = max(peers, default=None)
    mine = loaded.get("calls_per_second")
    met = None if mine is None or best is None else mine > best
    out.append(
        _target(
            f"{api}: {daemon} calls/s above every peer",
            "> best peer",
            f"{_num(mine, 0)} vs {_num(best, 0)}",
            met,
        )
    )
    return out


def _target(name: str, goal: str, value: Any, met: bool | None) -> dict[str, Any]:
    return {"target": name, "goal": goal, "value": value, "met": met}


def _at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def _at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def performance_table(result: dict[str, Any]) -> str:
    """Markdown tables (readable as plain text too): per API, then start-up, memory, targets."""
    inflight = result["settings"]["inflight"]
    out: list[str] = []
    for api in result["settings"]["apis"]:
        out += [
            f"### {api} API: per call, 1 in flight and {inflight} in flight",
            "",
            "| client | p50 ms | p99 ms | calls/s | p50 x floor"
            f" | p50 ms @{inflight} | p99 ms @{inflight} | calls/s @{inflight} | calls/s x floor |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for run in (r for r in result["runs"] if r["api"] == api):
            out.append(_run_row(run))
        out.append("")
    out += _paired_rows(result)
    out += _startup_rows(result)
    out += _memory_rows(result)
    out += ["### Targets", "", "| target | goal | measured | met |", "|---|---|---|---|"]
    for t in result.get("targets", []):
        met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
        out.append(f"| {t['target']} | {t['goal']} | {_num(t['value'])} | {met} |")
    return "\n".join(out) + "\n"


def _run_row(run: dict[str, Any]) -> str:
    name = run.get("label") or run["driver"]
    if run.get("version"):
        name += f" {run['version']}"
    if not run.get("available", True):
        return f"| {name} | not measured: {run.get('reason', '')} |||||||||"
    if run.get("failed"):
        return f"| {name} | failed: {run['failed'][:80]} |||||||||"
    one, many = run["phases"]
    cells = [
        _num(one["p50_ms"]),
        _num(one["p99_ms"]),
        _num(one["calls_per_second"], 0),
        _num(one["p50_x_floor"]),
        _num(many["p50_ms"], 1),
        _num(many["p99_ms"], 1),
        _num(many["calls_per_second"], 0),
        _num(many["cps_x_floor"]),
    ]
    errors = one["errors"] + many["errors"]
    if errors:
        name += f" ({errors} errors)"
    return f"| {name} | " + " | ".join(cells) + " |"


def _paired_rows(result: dict[str, Any]) -> list[str]:
    paired = result.get("paired")
    if not paired:
        return []
    rows = [
        "### 1 in flight, paired: one call of each in turn, in one process",
        "",
        "| API | client | p50 ms | p99 ms | p50 x floor | p99 x floor |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for api, measured in paired.items():
        if measured.get("failed"):
            rows.append(f"| {api} | failed: {measured['failed'][:80]} |||||")
            continue
        for entry in measured["drivers"].values():
            phase = entry.get("phase")
            if not phase:
                rows.append(
                    f"| {api} | {entry['label']} | not measured: {entry.get('reason')} ||||"
                )
                continue
            rows.append(
                f"| {api} | {entry['label']} | {_num(phase['p50_ms'])} | {_num(phase['p99_ms'])}"
                f" | {_num(phase['p50_x_floor'])} | {_num(phase['p99_x_floor'])} |"
            )
    return [*rows, ""]


def _startup_rows(result: dict[str, Any]) -> list[str]:
    startup = result.get("startup")
    if not startup and not result.get("imports"):
        return []
    rows = ["### Start-up", "", "| what | median ms | min ms |", "|---|---:|---:|"]
    if startup:
        for key, label in (
            ("spawn_to_initialize_ms", "daemon: spawn to `initialize` answer"),
            ("spawn_to_first_run_ms", "daemon: spawn to first `runtime/run` answer"),
            ("shutdown_to_exit_ms", "daemon: `shutdown` to process exit"),
        ):
            rows.append(f"| {label} | {startup[key]['median']} | {startup[key]['min']} |")
    for entry in result.get("imports") or []:
        if "error" in entry:
            rows.append(f"| `{entry['statement']}` | not installed | |")
            continue
        rows.append(
            f"| process running `{entry['statement']}` (import alone: "
            f"{entry['import_ms']['median']} ms) | {entry['process_ms']['median']}"
            f" | {entry['process_ms']['min']} |"
        )
    return [*rows, ""]


def _memory_rows(result: dict[str, Any]) -> list[str]:
    memory = result.get("memory")
    if not memory:
        return []
    return [
        "### Daemon memory (RSS)",
        "",
        "| after start | after first 100 calls | after all calls | calls | growth |",
        "|---:|---:|---:|---:|---:|",
        f"| {_mib(memory['rss_kib_after_start'])} | {_mib(memory['rss_kib_after_first'])}"
        f" | {_mib(memory['rss_kib_after_all'])} | {memory['calls']}"
        f" | {_num(memory['growth_percent_after_first'])} % |",
        "",
    ]


def _mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f} MiB"
