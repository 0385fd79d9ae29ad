"""``python -m benchmarks``: start the mock, measure every driver, start-up and memory; report.

Each driver runs in its own worker process against one mock server process, all on this
interpreter (one environment, so every client gets the same httpx/httpcore/anyio). Start-up and
memory are measured on ``--daemon-python``: the daemon's own installation, without the peers'
packages (with click, rich and pygments present, importing httpx also imports its CLI).
Writes ``<out>/bench-<time>.json``, ``<out>/latest.json`` and ``<out>/latest.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import bodies, report
from .drivers import DRIVERS
from .fast import fast_client_figures
from .memory import daemon_memory
from .mock_server import running_mock
from .startup import daemon_startup, import_times

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results"
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument(
        "--apis", default=",".join(bodies.APIS), help=f"comma-separated: {','.join(bodies.APIS)}"
    )
    p.add_argument(
        "--drivers",
        default=",".join(n for n in DRIVERS if n not in report.PROTOTYPES.values()),
        help=f"comma-separated, from: {', '.join(DRIVERS)}",
    )
    p.add_argument(
        "--what-if",
        action="store_true",
        help="also measure the what-if rows (one httpx pool of 64 instead of the sharded pools)",
    )
    p.add_argument("--rounds", type=int, default=3, help="rounds over all drivers (medians)")
    p.add_argument("--calls", type=int, default=300, help="calls per round at 1 in flight")
    p.add_argument("--concurrent-calls", type=int, default=800, help="calls per round at K")
    p.add_argument("--inflight", type=int, default=64, help="K: calls in flight when loaded")
    p.add_argument("--warmup", type=int, default=50, help="unmeasured calls first")
    p.add_argument("--max-seconds", type=float, default=4.0, help="time bound of each phase")
    p.add_argument(
        "--paired-calls",
        type=int,
        default=1000,
        help="calls of each client, one of each in turn, 1 in flight (0: skip)",
    )
    p.add_argument(
        "--paired-block",
        type=int,
        default=20,
        help="paired: consecutive calls of one client before the next one's turn (1: alternate)",
    )
    p.add_argument(
        "--fast-calls", type=int, default=2000, help="calls of the C client per server (0: skip)"
    )
    p.add_argument("--memory-calls", type=int, default=10_000, help="daemon calls (0: skip)")
    p.add_argument("--startup-repeats", type=int, default=10, help="daemon spawns (0: skip)")
    p.add_argument("--import-repeats", type=int, default=2, help="per library (0: skip)")
    p.add_argument(
        "--daemon-python",
        default=sys.executable,
        help="interpreter of the daemon's own installation, for start-up and memory",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for results")
    p.add_argument("--quiet", action="store_true", help="do not print the table")
    return p.parse_args(argv)


def bench_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARS}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # never fetch litellm's price map at import
    env.pop("PROVIDER_RUNTIME_CONFIG", None)
    return env


def machine() -> dict[str, Any]:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor() or None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def write_config(directory: Path, base_url: str) -> Path:
    path = directory / "bench-config.toml"
    path.write_text(bodies.config_toml(base_url), encoding="utf-8")
    path.chmod(0o600)
    return path


def run_worker(spec: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    timeout = 6 * spec["max_seconds"] + 120
    base = {"driver": spec["driver"], "api": spec["api"], "available": True}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker", json.dumps(spec)],
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:  # run() has killed the worker
        return {**base, "failed": f"worker took longer than {timeout:.0f} s"}
    lines = done.stdout.decode(errors="replace").strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        return {**base, "failed": f"worker exit {done.returncode}: {' / '.join(tail)}"}
    return result


def measure_drivers(
    args: argparse.Namespace, base_url: str, options: dict[str, Any], env: dict[str, str]
) -> list[dict[str, Any]]:
    """Every (api, driver) pair, ``--rounds`` times, interleaved so that a burst of load from
    elsewhere on the machine lands on several drivers at once rather than on one."""
    names = [n for n in _drivers(args) if n not in report.PAIRED_ONLY]
    pairs = [(api, n) for api in _apis(args) for n in names if api in DRIVERS[n].apis]
    rounds: dict[tuple[str, str], list[dict[str, Any]]] = {pair: [] for pair in pairs}
    for number in range(1, args.rounds + 1):
        for api, name in pairs:
            spec = {
                "driver": name,
                "api": api,
                "base_url": base_url,
                "options": options,
                "calls": args.calls,
                "concurrent_calls": args.concurrent_calls,
                "inflight": args.inflight,
                "warmup": args.warmup,
                "max_seconds": args.max_seconds,
            }
            _progress(f"round {number}/{args.rounds}: {api}: {name}")
            rounds[(api, name)].append(run_worker(spec, env))
    return [merge_rounds(rounds[pair]) for pair in pairs]


def merge_rounds(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One result per pair: each figure the median over rounds; errors summed; rounds kept."""
    first = results[0]
    if not first.get("available", True) or any(r.get("failed") for r in results):
        failed = next((r for r in results if r.get("failed")), first)
        return {**failed, "rounds": len(results)}
    merged = {k: v for k, v in first.items() if k != "phases"}
    merged["rounds"] = len(results)
    merged["phases"] = [
        _median_phase([r["phases"][i] for r in results]) for i in range(len(first["phases"]))
    ]
    merged["per_round"] = [r["phases"] for r in results]
    return merged


def _median_phase(phases: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(phases[0])
    for key in ("p50_ms", "p99_ms", "mean_ms", "calls_per_second", "seconds"):
        values = [p[key] for p in phases if p.get(key) is not None]
        out[key] = round(statistics.median(values), 4) if values else None
    for key in ("calls", "errors", "requested"):
        out[key] = sum(p[key] for p in phases)
    out["truncated"] = any(p["truncated"] for p in phases)
    out["first_error"] = next((p["first_error"] for p in phases if p["first_error"]), None)
    return out


def _drivers(args: argparse.Namespace) -> list[str]:
    names = [n.strip() for n in args.drivers.split(",") if n.strip()]
    if args.what_if:
        names += [n for n in report.PROTOTYPES.values() if n not in names]
    unknown = [n for n in names if n not in DRIVERS]
    if unknown:
        raise SystemExit(f"unknown driver(s): {', '.join(unknown)}; known: {', '.join(DRIVERS)}")
    return sorted(names, key=lambda n: n != report.FLOOR)  # the floor first


def measure_paired(
    args: argparse.Namespace, base_url: str, options: dict[str, Any], env: dict[str, str]
) -> dict[str, Any]:
    """Floor, library and daemon(s) in one worker, one call of each in turn, per API."""
    names = [n for n in report.PAIRED if n in _drivers(args) or n == report.FLOOR]
    out = {}
    for api in _apis(args):
        _progress(f"paired, 1 in flight: {api}: {', '.join(names)}")
        spec = {
            "paired": names,
            "api": api,
            "base_url": base_url,
            "options": options,
            "calls": args.paired_calls,
            "block": args.paired_block,
            "warmup": args.warmup,
            "max_seconds": 3 * args.max_seconds,
        }
        out[api] = run_worker({**spec, "driver": "paired", "inflight": 1}, env)
    return out


def _apis(args: argparse.Namespace) -> list[str]:
    return [a.strip() for a in args.apis.split(",") if a.strip()]


def _progress(text: str) -> None:
    sys.stderr.write(f"bench: {text}\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> dict[str, Any]:
    env = bench_env()
    started = time.time()
    result: dict[str, Any] = {
        "schema": 1,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "machine": machine(),
        "settings": {
            k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "quiet"
        },
    }
    result["settings"]["apis"] = _apis(args)
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        running_mock(sys.executable, env) as url,
    ):
        options: dict[str, Any] = {
            "config_path": str(write_config(Path(tmp), url)),
            "own_python": args.daemon_python if args.daemon_python != sys.executable else None,
        }
        result["runs"] = measure_drivers(args, url, options, env)  # workers inherit ``env``
        if args.paired_calls > 0:
            result["paired"] = measure_paired(args, url, options, env)
        options["daemon_python"] = args.daemon_python
        if args.fast_calls > 0:
            _progress("1 in flight through a C client")
            result["fast_client"] = fast_client_figures(options, env, args.fast_calls)
        if args.startup_repeats > 0:
            _progress("daemon start-up")
            result["startup"] = asyncio.run(daemon_startup(options, env, args.startup_repeats))
        if args.memory_calls > 0:
            _progress(f"daemon memory over {args.memory_calls} calls")
            result["memory"] = asyncio.run(
                daemon_memory(
                    options,
                    env,
                    total_calls=args.memory_calls,
                    inflight=args.inflight,
                    max_seconds=max(args.max_seconds, 60.0),
                )
            )
    if args.import_repeats > 0:
        _progress("library import times")
        result["imports"] = import_times(sys.executable, env, args.import_repeats)
    report.add_ratios(result["runs"])
    report.add_paired_ratios(result.get("paired") or {})
    result["targets"] = report.check_targets(result)
    result["duration_seconds"] = round(time.time() - started, 1)
    return result


def write_results(result: dict[str, Any], out: Path) -> tuple[Path, str]:
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = json.dumps(result, indent=2, sort_keys=False) + "\n"
    path = out / f"bench-{stamp}.json"
    path.write_text(text, encoding="utf-8")
    (out / "latest.json").write_text(text, encoding="utf-8")
    table = report.performance_table(result)
    (out / "latest.md").write_text(table, encoding="utf-8")
    return path, table


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    result = run(args)
    path, table = write_results(result, args.out)
    if not args.quiet:
        m = result["machine"]
        print(f"machine: {m['nproc']} cores, {m['cpu_model']}, Python {m['python']}")
        print(table)
        print(f"results: {path} ({result['duration_seconds']} s)")
    return result
