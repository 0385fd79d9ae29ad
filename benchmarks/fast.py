"""The daemon through a client written in C (``fast_client.c``), beside the pipe's own limit.

The judged figures come from a Python asyncio client; this one says how much of a call is the
daemon's and how much the client's. Three servers, one call at a time each: the daemon calling
the mock (Chat Completions), the daemon answering with the offline ``echo`` provider, and
``pipe_echo.c`` answering each frame at once. Needs a C compiler; reported as unavailable
without one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from . import bodies

_HERE = Path(__file__).resolve().parent


def _compile(source: str, out: Path) -> None:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise RuntimeError("no C compiler (cc)")
    subprocess.run([compiler, "-O2", "-o", str(out), str(_HERE / source)], check=True)


def _run(exe: Path, params: Path, command: list[str], env: dict[str, str], calls: int) -> Any:
    done = subprocess.run(
        [str(exe), str(calls), "300", str(params), "--", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        return {"failed": (done.stderr or done.stdout).strip()[-300:]}
    words = done.stdout.split()
    figures = dict(zip(words[::2], words[1::2], strict=True))
    return {"p50_ms": int(figures["p50_us"]) / 1000, "p99_ms": int(figures["p99_us"]) / 1000}


def _daemon_answer(daemon: list[str], params: bytes, env: dict[str, str]) -> bytes:
    """The daemon's own result for ``params`` (what pipe_echo sends back)."""
    request = b'{"jsonrpc":"2.0","id":1,"method":"runtime/run","params":%b}\n' % params
    done = subprocess.run(daemon, input=request, capture_output=True, env=env, timeout=60)
    return json.dumps(json.loads(done.stdout.splitlines()[0])["result"]).encode()


def fast_client_figures(options: dict[str, Any], env: dict[str, str], calls: int) -> Any:
    daemon = [options["daemon_python"], "-m", "provider_runtime", "serve"]
    daemon += ["--config", options["config_path"]]
    with tempfile.TemporaryDirectory(prefix="fast-client-") as tmp:
        where = Path(tmp)
        try:
            _compile("fast_client.c", where / "fast_client")
            _compile("pipe_echo.c", where / "pipe_echo")
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            return {"unavailable": str(exc)}
        http = json.dumps(bodies.canonical_request("openai")).encode()
        echo = json.dumps({**bodies.canonical_request("openai"), "model": "echo/echo-1"}).encode()
        (where / "http.json").write_bytes(http)
        (where / "echo.json").write_bytes(echo)
        (where / "answer.json").write_bytes(_daemon_answer(daemon, http, env))
        exe = where / "fast_client"
        return {
            "daemon, openai mock": _run(exe, where / "http.json", daemon, env, calls),
            "daemon, echo provider": _run(exe, where / "echo.json", daemon, env, calls),
            "C pipe echo": _run(
                exe,
                where / "http.json",
                [str(where / "pipe_echo"), str(where / "answer.json")],
                env,
                calls,
            ),
        }
