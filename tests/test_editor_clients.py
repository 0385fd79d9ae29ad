"""Each editor client's own suite (Neovim, Emacs, VS Code, shell), run as a subprocess against the
real daemon with a time bound. A missing editor skips locally and fails under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ROOT / "editor-clients"
VSCODE = CLIENTS / "vscode"
CURRENT_NVIM = CLIENTS / "neovim" / ".deps" / "venv" / "bin" / "nvim"
SUITE_TIMEOUT = 120  # seconds; each suite takes a few, and bounds itself at 60
INSTALL_HINT = "run scripts/install_editor_deps.sh"
ERT = "ert-run-tests-batch-and-exit"


@dataclass(frozen=True)
class Suite:
    name: str
    command: list[str]
    needs: tuple[str, ...]  # executables (names on PATH or paths) the suite cannot run without
    cwd: Path
    summary: str  # regex over stdout+stderr; group "passed" counts the passing tests
    min_passed: int


SUITES = [
    Suite(
        "neovim",
        ["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-c", "luafile test/run.lua"],
        ("nvim",),
        CLIENTS / "neovim",
        r"^(?P<passed>\d+) passed, 0 failed$",
        23,
    ),
    Suite(
        "neovim-current",
        [str(CURRENT_NVIM), "--headless", "-u", "NONE", "-i", "NONE", "-c", "luafile test/run.lua"],
        (str(CURRENT_NVIM),),
        CLIENTS / "neovim",
        r"^(?P<passed>\d+) passed, 0 failed$",
        23,
    ),
    Suite(
        "emacs",
        ["emacs", "-Q", "--batch", "-L", ".", "-l", "test/provider-runtime-test.el", "-f", ERT],
        ("emacs",),
        CLIENTS / "emacs",
        r"^Ran (?P<passed>\d+) tests, (?P=passed) results as expected, 0 unexpected",
        22,
    ),
    Suite(
        "vscode",
        ["npm", "test", "--silent"],
        ("node", "npm", str(VSCODE / "node_modules" / ".bin" / "tsc")),
        VSCODE,
        r"^# pass (?P<passed>\d+)\n# fail 0$",
        26,
    ),
    Suite(
        "shell",
        ["bash", "test/run_tests.sh"],
        ("bash", "jq", "flock"),
        CLIENTS / "shell",
        r"^(?P<passed>\d+) passed, 0 failed$",
        27,
    ),
]


def _daemon_command() -> str:
    return os.environ.get("PROVIDER_RUNTIME_CMD") or str(
        ROOT / ".venv" / "bin" / "provider-runtime"
    )


def _require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return
    message = f"missing {', '.join(missing)} ({INSTALL_HINT})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: under CI=true a missing editor is a failure, not a skip")
    pytest.skip(message)


def _environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PROVIDER_RUNTIME_CMD"] = _daemon_command()
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name.lower())  # no user editor config, logs kept out of ~
    env.pop("PROVIDER_RUNTIME_CONFIG", None)  # each suite writes and points at its own
    return env


class SuiteTimeout(Exception):
    """A suite ran out of time; everything it started has been killed. Holds its output."""


def run_suite(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a suite in a session of its own; if it runs out of time, kill every process in that
    session (its daemons and subshells too, whatever process groups they made) and raise."""
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_session(proc.pid)
        try:
            out, _ = proc.communicate(timeout=5)  # every writer of the pipe is gone now...
        except subprocess.TimeoutExpired as still:  # ...unless one left the session (setsid)
            assert proc.stdout is not None
            proc.stdout.close()
            proc.wait()
            out = (still.output or b"").decode(errors="replace")
        raise SuiteTimeout(out) from None
    return subprocess.CompletedProcess(command, proc.returncode, out, "")


def kill_session(sid: int) -> None:
    """SIGKILL every process whose session is ``sid`` (Linux /proc), until none is left."""
    for _ in range(50):
        members = [pid for pid in _pids() if _session_of(pid) == sid]
        if not members:
            return
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _session_of(pid: int) -> int | None:
    """The session id of a live process; None once it has exited (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, _ppid, _pgrp, session = stat.rsplit(")", 1)[1].split()[:4]
    return None if state in ("Z", "X") else int(session)


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="module", autouse=True)
def _daemon_exists() -> None:
    daemon = _daemon_command().split()[0]
    assert shutil.which(daemon), f"the daemon `{daemon}` is not installed (make installs .venv)"


@pytest.mark.parametrize("suite", SUITES, ids=[s.name for s in SUITES])
def test_client_suite(suite: Suite, tmp_path: Path) -> None:
    _require(*suite.needs)
    try:
        done = run_suite(suite.command, suite.cwd, _environment(tmp_path), SUITE_TIMEOUT)
    except SuiteTimeout as exc:
        pytest.fail(f"{suite.name} suite did not finish in {SUITE_TIMEOUT}s\n{_tail(str(exc))}")
    output = done.stdout
    assert done.returncode == 0, f"{suite.name} suite failed ({done.returncode}):\n{_tail(output)}"
    found = re.search(suite.summary, output, re.MULTILINE)
    assert found, f"{suite.name}: no passing summary in its output:\n{_tail(output)}"
    passed = int(found.group("passed"))
    assert passed >= suite.min_passed, f"{suite.name}: only {passed} tests ran"


def test_vscode_extension_packages_offline_into_a_loadable_vsix(tmp_path: Path) -> None:
    """vsce builds the .vsix from local files only; it holds the compiled extension and its
    runtime dependency, not the sources or tests, and its entry point loads."""
    _require("node", "npm", str(VSCODE / "node_modules" / ".bin" / "vsce"))
    vsix = tmp_path / "provider-runtime.vsix"
    done = subprocess.run(
        ["npx", "--no-install", "vsce", "package", "--skip-license", "--out", str(vsix)],
        cwd=VSCODE,
        env=_environment(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT,
    )
    assert done.returncode == 0, _tail(done.stdout + done.stderr)
    names = set(zipfile.ZipFile(vsix).namelist())
    for needed in (
        "extension/package.json",
        "extension/out/src/extension.js",
        "extension/out/src/client.js",
        "extension/node_modules/vscode-jsonrpc/package.json",
    ):
        assert needed in names, f"{needed} missing from the .vsix"
    sources = ("extension/src/", "extension/test/", "extension/out/test/")
    assert not sorted(n for n in names if n.startswith(sources)), "sources or tests packaged"
    zipfile.ZipFile(vsix).extractall(tmp_path / "unpacked")
    load = (
        "const M = require('module'); const load = M._load;"
        "M._load = function (r, ...a) { return r === 'vscode' ? {} : load.call(this, r, ...a); };"
        "const e = require(process.argv[1]);"
        "const ok = typeof e.activate === 'function' && typeof e.deactivate === 'function';"
        "process.exit(ok ? 0 : 1);"
    )
    main = tmp_path / "unpacked" / "extension" / "out" / "src" / "extension.js"
    loaded = subprocess.run(
        ["node", "-e", load, str(main)], capture_output=True, text=True, timeout=60
    )
    assert loaded.returncode == 0, loaded.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_suite_that_times_out_leaves_no_process_behind(tmp_path: Path) -> None:
    """Jobs in process groups of their own (`set -m`) and orphaned subshells are all killed."""
    pids = tmp_path / "pids"
    script = (
        f"set -m; sleep 300 & echo $! >>{pids}; (sleep 300 & echo $! >>{pids}) & "
        f"(setsid sleep 300 & echo $! >>{pids.with_suffix('.own')}); "
        "echo started; sleep 300"
    )
    try:
        with pytest.raises(SuiteTimeout, match="started"):
            run_suite(["bash", "-c", script], tmp_path, dict(os.environ), timeout=2)
        started = [int(p) for p in pids.read_text().split()]
        assert len(started) == 2 and all(_session_of(p) is None for p in started)
    finally:  # the one that left the session is not the suite's to kill: the test's own
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int(pids.with_suffix(".own").read_text()), signal.SIGKILL)
