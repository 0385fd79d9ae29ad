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
# What-if rows (one httpx pool of 64, as before transport/pool.py): measured only with --what-if.
PROTOTYPES = {DAEMON: "daemon-one-pool", LIBRARY: "runtime-one-pool"}
# Measured together, one call of each in turn (worker.measure_paired), for the 1-in-flight ratios.
PAIRED = (
    FLOOR,
    LIBRARY,
    DAEMON,
    "daemon-own-install",
    "daemon-asyncio",
    "daemon-echo",
    "pipe-echo",
)
# Measured in the pairing only: where the time of the hop goes, not clients a user would pick.
PAIRED_ONLY = ("daemon-asyncio", "daemon-echo", "pipe-echo")


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


# The daemon as users deploy it (its own installation) where measured, else on the shared one.
JUDGED_DAEMONS = ("daemon-own-install", DAEMON)


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it was met (None: unknown)."""
    targets: list[dict[str, Any]] = []
    for api in result["settings"]["apis"]:
        targets += _per_api_targets(result, api)
    targets += _startup_targets(result.get("startup") or {})
    memory = result.get("memory") or {}
    after_all = memory.get("rss_kib_after_all")
    rss = None if after_all is None else round(after_all / 1024, 1)
    calls = memory.get("calls", "all")
    targets.append(_target(f"daemon RSS after {calls} calls", "<= 45 MiB", rss, _at_most(rss, 45)))
    growth = memory.get("growth_percent_after_first")
    targets.append(
        _target(
            f"daemon RSS growth, call 100 -> call {calls}", "<= 5 %", growth, _at_most(growth, 5.0)
        )
    )
    return targets


def _judged_daemon(result: dict[str, Any], api: str) -> str:
    for name in JUDGED_DAEMONS:
        if _paired_phase(result, api, name) or _phase(result["runs"], api, name, 0):
            return name
    return DAEMON


def _per_api_targets(result: dict[str, Any], api: str) -> list[dict[str, Any]]:
    """1 in flight: the paired figures (robust to load); K in flight: the rounds' medians."""
    daemon = _judged_daemon(result, api)
    out = []
    for driver, key, limit in (
        (daemon, "p50_x_floor", 1.3),
        (daemon, "p99_x_floor", 1.5),
        (LIBRARY, "p50_x_floor", 1.1),
    ):
        ratio = _paired_phase(result, api, driver).get(key)
        what = key.split("_")[0]
        out.append(
            _target(
                f"{api}: {driver} {what}, 1 in flight (paired)",
                f"<= {limit}x floor",
                ratio,
                _at_most(ratio, limit),
            )
        )
    loaded = _phase(result["runs"], api, daemon, 1)
    floor = _phase(result["runs"], api, FLOOR, 1)
    ratio = loaded.get("cps_x_floor")
    out.append(
        _target(
            f"{api}: {daemon} calls/s, K in flight", ">= 1.0x floor", ratio, _at_least(ratio, 1.0)
        )
    )
    mine, floor_p99 = loaded.get("p99_ms"), floor.get("p99_ms")
    out.append(
        _target(
            f"{api}: {daemon} p99, K in flight",
            "<= floor's",
            f"{_num(mine, 1)} vs {_num(floor_p99, 1)}",
            None if mine is None or floor_p99 is None else mine <= floor_p99,
        )
    )
    peers = [
        r["phases"][1].get("calls_per_second") or 0.0
        for r in result["runs"]
        if r["api"] == api and r["driver"] in PEERS and r.get("phases")
    ]
    best = max(peers, default=None)
    cps = loaded.get("calls_per_second")
    out.append(
        _target(
            f"{api}: {daemon} calls/s above every peer, K in flight",
            "> best peer",
            f"{_num(cps, 0)} vs {_num(best, 0)}",
            None if cps is None or best is None else cps > best,
        )
    )
    return out


def _startup_targets(startup: dict[str, Any]) -> list[dict[str, Any]]:
    init = (startup.get("spawn_to_initialize_ms") or {}).get("median")
    first = (startup.get("spawn_to_first_run_ms") or {}).get("median")
    watched = (startup.get("imports_before_initialize") or {}).get("watched") or {}
    early = sorted(m for m, ms in watched.items() if ms is not None and _heavy(m))
    return [
        _target(
            "daemon: spawn to initialize answer (median)", "<= 120 ms", init, _at_most(init, 120)
        ),
        _target(
            "daemon: spawn to first runtime/run answer, echo (median)",
            "<= 250 ms",
            first,
            _at_most(first, 250),
        ),
        _target(
            "provider modules, botocore, runtime, pygls before initialize",
            "none",
            ", ".join(early) or "none",
            not early if startup else None,
        ),
    ]


def _heavy(module: str) -> bool:
    """What must not be imported before the initialize answer (config's quirks schema may)."""
    return module.startswith(("provider_runtime.providers.", "provider_runtime.runtime")) or (
        module.split(".")[0] in ("botocore", "pygls", "lsprotocol", "httpx")
    )


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
    out += _fast_rows(result)
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


def _fast_rows(result: dict[str, Any]) -> list[str]:
    fast = result.get("fast_client")
    if not fast:
        return []
    title = "### 1 in flight through a C client (fast_client.c): the daemon's share"
    if "unavailable" in fast:
        return [title, "", f"not measured: {fast['unavailable']}", ""]
    rows = [title, "", "| server | p50 ms | p99 ms |", "|---|---:|---:|"]
    for name, figures in fast.items():
        if "failed" in figures:
            rows.append(f"| {name} | failed: {figures['failed'][:80]} | |")
        else:
            rows.append(f"| {name} | {_num(figures['p50_ms'])} | {_num(figures['p99_ms'])} |")
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
