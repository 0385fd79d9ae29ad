"""The README's examples run as written, in order, for a new user (offline provider, no keys,
no config): the quick start, the library example, the daemon and CLI commands."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_library_example_runs(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README has no python example"
    example = blocks[0]
    assert len(example.strip().splitlines()) <= 15  # "a ten-line example", give or take imports
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.pop("PROVIDER_RUNTIME_CONFIG", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path)  # no user config is read
    done = subprocess.run(
        [sys.executable, "-c", example], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("echo: hi ")
    # The offline model is priced at zero by its own catalog entry: $0 with provenance, no warning.
    assert "CostBreakdown(total=Decimal('0'), source=<PricingSource.CATALOG" in done.stdout
    assert "snapshot='echo built-in models'" in done.stdout
    assert done.stdout.rstrip().endswith(" []")  # response.warnings, printed last, is empty


def _sh_blocks_after(heading: str) -> list[list[str]]:
    """The shell commands of each ```sh block in the README section ``heading``, comments cut."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    commands: list[list[str]] = []
    for block in blocks:
        lines = [re.sub(r"\s{2,}# .*$", "", line).strip() for line in block.splitlines()]
        joined = "\n".join(lines).replace("\\\n", " ")
        commands.append([line for line in joined.splitlines() if line])
    return commands


@pytest.fixture(scope="module")
def new_user(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A user who has only cloned the repository: no config, no key, a PREFIX of their own."""
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    for name in ("PROVIDER_RUNTIME_CONFIG", "VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        PREFIX=str(home / ".local"),
        PATH=f"{home / '.local' / 'bin'}:{env['PATH']}",
    )
    return env


def _sh(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=README.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_quick_start_works_in_the_order_shown(new_user: dict[str, str]) -> None:
    (commands,) = _sh_blocks_after("Quick start")
    assert commands[-1] == "make test"  # the one step not run here: it is this very suite
    assert commands[:2] == ["make run", "make install"]
    outputs = {}
    for command in commands[:-1]:
        done = _sh(command, new_user)
        assert done.returncode == 0, f"{command!r} failed:\n{done.stdout}\n{done.stderr}"
        outputs[command] = done.stdout
    assert "daemon exited with status 0" in outputs["make run"]
    assert "provider-runtime run" in outputs["make run"]  # it says how to go on
    assert f"installed: {new_user['PREFIX']}/bin/provider-runtime" in outputs["make install"]
    assert outputs['provider-runtime run "hello"'] == "echo: hello\n"
    assert outputs["provider-runtime --version"].startswith("provider-runtime ")


def test_the_daemon_and_cli_examples_work_as_documented(new_user: dict[str, str]) -> None:
    installed = _sh("make install", new_user)
    assert installed.returncode == 0, installed.stderr
    serve, cli = _sh_blocks_after("Using the daemon")
    (pipeline,) = serve
    reply = json.loads(_sh(pipeline, new_user).stdout)
    assert reply["result"]["output"]["content"][0]["text"] == "echo: hi"
    for command in cli:
        done = _sh(command, new_user)
        if "anthropic/" in command:  # the one that needs a key says which
            assert done.returncode != 0
            assert "ANTHROPIC_API_KEY" in done.stderr
            continue
        assert done.returncode == 0, f"{command!r} failed:\n{done.stderr}"
        assert done.stdout.strip(), command
    assert json.loads(_sh("provider-runtime run --json hello", new_user).stdout)["output"]
