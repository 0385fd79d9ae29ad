"""The package as a user installs it: wheel and sdist built from the checkout, installed by
scripts/install.sh (what `make install` runs) into a fresh virtualenv with only the runtime
dependencies, then driven as a user would: `run`, `serve`, `python -m`, `--version`.

Needs PyPI (or pip's cache) for the runtime dependencies, as `make test` itself does.
"""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import provider_runtime

ROOT = Path(__file__).resolve().parents[1]
# What `pip install provider-runtime` may bring into a fresh virtualenv, and nothing else.
RUNTIME_DISTRIBUTIONS = {
    "provider-runtime",
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "sniffio",
    "idna",
    "certifi",
    "msgspec",
    "uvloop",  # the extra scripts/install.sh installs: the daemon's event loop
    "typing-extensions",
    "exceptiongroup",
    "pip",
    "setuptools",
}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def _user_env(home: Path) -> dict[str, str]:
    """A user with no config file and no provider key."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    env.pop("PROVIDER_RUNTIME_CONFIG", None)
    env.pop("VIRTUAL_ENV", None)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return env


@pytest.fixture(scope="module")
def installed(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """PREFIX of an install of the built wheel by scripts/install.sh."""
    prefix = tmp_path_factory.mktemp("prefix")
    env = {**_user_env(prefix), "PREFIX": str(prefix), "PYTHON": sys.executable}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install.sh"), str(dist["wheel"])],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"installed: {prefix}/bin/provider-runtime" in done.stdout
    assert "is not on your PATH" in done.stdout  # and says how to add it
    yield prefix


def test_the_wheel_holds_the_package_and_its_catalog_and_nothing_from_tests(
    dist: dict[str, Path],
) -> None:
    names = zipfile.ZipFile(dist["wheel"]).namelist()
    assert "provider_runtime/catalog/data/catalog.json" in names
    assert "provider_runtime/cli.py" in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "editor-clients/"))]
    assert {n.split("/")[0] for n in names} == {
        "provider_runtime",
        f"provider_runtime-{provider_runtime.__version__}.dist-info",
    }
    meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
    meta = email.message_from_bytes(zipfile.ZipFile(dist["wheel"]).read(meta_name))
    assert meta["Version"] == provider_runtime.__version__


def test_the_sdist_builds_the_package_without_the_test_suite(dist: dict[str, Path]) -> None:
    with tarfile.open(dist["sdist"]) as tar:
        names = [n.split("/", 1)[1] for n in tar.getnames() if "/" in n]
    assert "daemon/provider_runtime/catalog/data/catalog.json" in names
    assert "pyproject.toml" in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "editor-clients/"))]


def test_the_installed_virtualenv_holds_only_the_runtime_dependencies(installed: Path) -> None:
    python = installed / "share" / "provider-runtime" / "venv" / "bin" / "python"
    listing = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    names = {d["name"].lower().replace("_", "-") for d in json.loads(listing.stdout)}
    assert "provider-runtime" in names
    assert names <= RUNTIME_DISTRIBUTIONS, names - RUNTIME_DISTRIBUTIONS
    loop = subprocess.run(
        [
            str(python),
            "-c",
            "from provider_runtime.server.daemon import event_loop as e; print(e()[0])",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert loop.stdout == "uvloop\n"  # the install takes the uvloop extra


def test_the_installed_command_runs_a_prompt_on_the_offline_provider(installed: Path) -> None:
    done = subprocess.run(
        [str(installed / "bin" / "provider-runtime"), "run", "hi"],
        env=_user_env(installed),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "echo: hi\n"


def test_the_installed_daemon_answers_over_stdin(installed: Path) -> None:
    lines = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "runtime/run",
            "params": {"model": "echo/echo-1", "messages": [{"role": "user", "content": "hi"}]},
        },
    ]
    done = subprocess.run(
        [str(installed / "bin" / "provider-runtime"), "serve"],
        input="".join(json.dumps(m) + "\n" for m in lines),
        env=_user_env(installed),
        capture_output=True,
        text=True,
        timeout=60,
    )
    replies = {r["id"]: r for r in map(json.loads, done.stdout.splitlines())}
    version = subprocess.run(
        [str(installed / "bin" / "provider-runtime"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # One version everywhere: the package metadata, --version and initialize's serverInfo.
    assert version.stdout == f"provider-runtime {provider_runtime.__version__}\n"
    assert replies[1]["result"]["serverInfo"]["version"] == provider_runtime.__version__
    assert replies[2]["result"]["output"]["content"][0]["text"] == "echo: hi"


def test_python_dash_m_is_the_same_command(installed: Path) -> None:
    python = installed / "share" / "provider-runtime" / "venv" / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "provider_runtime", "--help"],
        env=_user_env(installed),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: provider-runtime")
    for command in ("serve", "run", "models", "catalog", "config"):
        assert command in done.stdout


def test_uninstall_removes_the_virtualenv_and_the_link(
    dist: dict[str, Path], tmp_path: Path
) -> None:
    env = {**_user_env(tmp_path), "PREFIX": str(tmp_path), "PYTHON": sys.executable}
    script = str(ROOT / "scripts" / "install.sh")
    link = tmp_path / "bin" / "provider-runtime"
    link.parent.mkdir()
    link.symlink_to(tmp_path / "share" / "provider-runtime" / "venv" / "bin" / "provider-runtime")
    (tmp_path / "share" / "provider-runtime" / "venv").mkdir(parents=True)
    subprocess.run(["bash", script, "--uninstall"], env=env, check=True, timeout=60)
    assert not link.is_symlink()
    assert not (tmp_path / "share" / "provider-runtime").joinpath("venv").exists()
