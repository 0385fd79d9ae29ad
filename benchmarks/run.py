"""``python -m benchmarks``: start the mock, measure every driver, start-up and memory; report.

Each driver runs in its own worker process against one mock server process; the daemon runs
on ``--daemon-python`` (by default this interpreter). Writes ``<out>/bench-<time>.json``,
``<out>/latest.json`` and ``<out>/latest.md``, and prints the table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import bodies, report
from .drivers import DRIVERS
from .memory import daemon_memory
from .mock_server import running_mock
from .startup import daemon_startup, import_times

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results"
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument(
        "--apis", default=",".join(bodies.APIS), help="comma-separated: openai,anthropic"
    )
    p.add_argument("--drivers", default=",".join(DRIVERS), help="comma-separated driver names")
    p.add_argument("--calls", type=int, default=1000, help="calls measured at 1 in flight")
    p.add_argument("--concurrent-calls", type=int, default=4000, help="calls measured at K")
    p.add_argument("--inflight", type=int, default=64, help="K: calls in flight when loaded")
    p.add_argument("--warmup", type=int, default=200, help="unmeasured calls first")
    p.add_argument("--max-seconds", type=float, default=10.0, help="time bound of each phase")
    p.add_argument("--memory-calls", type=int, default=10_000, help="daemon calls (0: skip)")
    p.add_argument("--startup-repeats", type=int, default=10, help="daemon spawns (0: skip)")
    p.add_argument("--import-repeats", type=int, default=3, help="per library (0: skip)")
    p.add_argument("--daemon-python", default=sys.executable, help="interpreter of the daemon")
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
    path.write_text(
        f'[providers.openai]\nbase_url = "{base_url}/v1"\napi_key = "{bodies.API_KEY}"\n\n'
        f'[providers.anthropic]\nbase_url = "{base_url}"\napi_key = "{bodies.API_KEY}"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def run_worker(spec: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    timeout = 4 * spec["max_seconds"] + 120
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
    runs = []
    names = [n.strip() for n in args.drivers.split(",") if n.strip()]
    names.sort(key=lambda n: n != report.FLOOR)  # the floor first
    for api in [a.strip() for a in args.apis.split(",") if a.strip()]:
        for name in names:
            if api not in DRIVERS[name].apis:
                continue
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
            _progress(f"{api}: {name}")
            runs.append(run_worker(spec, env))
    return runs


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
    result["settings"]["apis"] = [a.strip() for a in args.apis.split(",") if a.strip()]
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        running_mock(sys.executable, env) as url,
    ):
        options = {
            "config_path": str(write_config(Path(tmp), url)),
            "daemon_python": args.daemon_python,
        }  # workers inherit ``env``; it is never put on a command line
        result["runs"] = measure_drivers(args, url, options, env)
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
