"""Start-up: spawn to the ``initialize`` answer and the first ``runtime/run`` answer; imports.

Peers have no daemon, so their figure is the import a program pays before its first call, timed
in a fresh interpreter; "process" figures include the interpreter's own start for both sides.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from typing import Any

from . import bodies
from .drivers import daemon_argv
from .stdio_client import DaemonClient

# (label, import statement, distribution) timed in a fresh interpreter.
IMPORTS: tuple[tuple[str, str, str], ...] = (
    ("python (no import)", "pass", ""),
    ("httpx", "import httpx", "httpx"),
    (
        "provider-runtime library",
        "from provider_runtime import ProviderRuntime",
        "provider-runtime",
    ),
    ("openai SDK", "import openai", "openai"),
    ("anthropic SDK", "import anthropic", "anthropic"),
    ("LiteLLM", "import litellm", "litellm"),
    ("any-llm", "import any_llm", "any-llm-sdk"),
)
# Modules whose presence before the first answer is worth a line in the report.
WATCHED = (
    "lsprotocol",
    "lsprotocol.types",
    "pygls",
    "httpx",
    "httpx._main",
    "click",
    "rich",
    "pygments",
    "anyio",
    "provider_runtime.runtime",
    "provider_runtime.catalog",
    "provider_runtime.providers.openai.adapter",
    "provider_runtime.providers.openai.responses",
    "provider_runtime.providers.anthropic",
    "provider_runtime.providers.google",
    "provider_runtime.providers.bedrock",
    "provider_runtime.providers.azure",
    "provider_runtime.providers.openrouter",
    "botocore",
)
_TIMEOUT = 30.0


async def _one_start(argv: list[str], env: dict[str, str] | None, run_params: bytes) -> Any:
    client = await DaemonClient.spawn(argv, env=env, keep_stderr=True)
    try:
        await asyncio.wait_for(client.request("initialize", b"{}"), _TIMEOUT)
        init_at = time.perf_counter()
        await asyncio.wait_for(client.request("runtime/run", run_params), _TIMEOUT)
        run_at = time.perf_counter()
        closing = time.perf_counter()
        code = await client.close()
        return client, init_at, run_at, time.perf_counter() - closing, code
    except BaseException:
        client.kill()
        await client.proc.wait()
        raise


async def daemon_startup(options: dict[str, Any], env: dict[str, str], repeats: int) -> Any:
    """Median and minimum over ``repeats`` spawns, plus one ``-X importtime`` spawn."""
    params = _run_params()
    argv = daemon_argv(options)
    init_ms, run_ms, exit_ms, codes = [], [], [], []
    for _ in range(repeats):
        client, init_at, run_at, exit_s, code = await _one_start(argv, env, params)
        init_ms.append((init_at - client.spawned_at) * 1000)
        run_ms.append((run_at - client.spawned_at) * 1000)
        exit_ms.append(exit_s * 1000)
        codes.append(code)
    traced = daemon_argv({**options, "python_flags": ["-X", "importtime"]})
    client, init_at, run_at, _, _ = await _one_start(traced, env, params)
    return {
        "repeats": repeats,
        "spawn_to_initialize_ms": _spread(init_ms),
        "spawn_to_first_run_ms": _spread(run_ms),
        "shutdown_to_exit_ms": _spread(exit_ms),
        "exit_codes": sorted(set(codes)),
        "imports_before_initialize": summarize_importtime(client.stderr.before(init_at)),
        "imports_for_first_run": summarize_importtime(client.stderr.between(init_at, run_at)),
    }


def _run_params() -> bytes:
    """The first call: the offline ``echo`` provider (the issue's start-up target), so what is
    timed is the daemon's own start, not a provider's first connection."""
    import json

    request = {**bodies.canonical_request("openai"), "model": "echo/echo-1"}
    return json.dumps(request).encode()


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def summarize_importtime(lines: list[str], top: int = 12) -> dict[str, Any]:
    """Parse ``-X importtime`` lines: count, total, costliest top-level imports, watched ones."""
    rows = []
    for line in lines:
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        fields = line[len("import time:") :].split("|")
        if len(fields) != 3:
            continue
        name = fields[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((name.strip(), int(fields[0]), int(fields[1]), depth))
    roots = sorted((r for r in rows if r[3] <= 1), key=lambda r: -r[2])
    loaded = {r[0]: r for r in rows}
    return {
        "modules": len(rows),
        "total_ms": round(sum(r[1] for r in rows) / 1000, 1),
        "top": [{"module": r[0], "cumulative_ms": round(r[2] / 1000, 1)} for r in roots[:top]],
        "watched": {
            name: round(loaded[name][2] / 1000, 1) if name in loaded else None for name in WATCHED
        },
    }


def import_times(python: str, env: dict[str, str], repeats: int) -> list[dict[str, Any]]:
    """Each library's import in a fresh interpreter: in-process time and whole-process time."""
    out = []
    for label, statement, dist in IMPORTS:
        code = (
            "import time; t = time.perf_counter(); "
            f"{statement}; print((time.perf_counter() - t) * 1000)"
        )
        import_ms, process_ms, error = [], [], None
        for _ in range(repeats):
            started = time.perf_counter()
            done = subprocess.run(
                [python, "-c", code], capture_output=True, env=env, timeout=120, check=False
            )
            process_ms.append((time.perf_counter() - started) * 1000)
            if done.returncode != 0:
                error = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
                break
            import_ms.append(float(done.stdout.split()[-1]))
        entry: dict[str, Any] = {"label": label, "statement": statement, "dist": dist}
        if error is not None:
            entry["error"] = error[0] if error else "failed"
        else:
            entry["import_ms"] = _spread(import_ms)
            entry["process_ms"] = _spread(process_ms)
        out.append(entry)
    return out


if __name__ == "__main__":  # ad-hoc: python -m benchmarks.startup CONFIG [DAEMON_PYTHON]
    opts = {"config_path": sys.argv[1], "daemon_python": sys.argv[2] if len(sys.argv) > 2 else None}
    print(asyncio.run(daemon_startup(opts, dict(__import__("os").environ), 3)))
