"""Each editor loads its client the way its README says: Neovim from the documented
``runtimepath`` line and as a native package (then ``:checkhealth``), Emacs through
``package-install-file`` and its autoloads, VS Code with every setting it reads declared, the
shell client copied out of the repository. Each runs against the real daemon, offline.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

from .test_editor_clients import (
    CLIENTS,
    CURRENT_NVIM,
    ROOT,
    SUITE_TIMEOUT,
    VSCODE,
    _daemon_command,
    _environment,
    _require,
    _tail,
)

NEOVIMS = [pytest.param("nvim", id="nvim"), pytest.param(str(CURRENT_NVIM), id="nvim-current")]
CLONE = "~/src/provider-runtime"  # where the READMEs assume the repository is cloned


def _fenced_block(readme: Path, language: str, needle: str) -> str:
    """The README's one fenced block in ``language`` that contains ``needle``."""
    blocks = re.findall(rf"^```{language}\n(.*?)^```$", readme.read_text(), re.S | re.M)
    found = [b for b in blocks if needle in b]
    assert len(found) == 1, f"{readme}: {len(found)} ```{language} blocks hold {needle!r}"
    return str(found[0])


def _daemon_on_path(tmp_path: Path, env: dict[str, str]) -> Path:
    """A ``provider-runtime`` on PATH that runs the daemon under test, as a user's install."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = bindir / "provider-runtime"
    wrapper.write_text(f'#!/bin/sh\nexec {_daemon_command()} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    return wrapper


def _run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT,
    )
    assert done.returncode == 0, f"{command[0]} failed:\n{_tail(done.stdout + done.stderr)}"
    return done


# --------------------------------------------------------------------------- Neovim

# Writes whether the commands exist, then the :checkhealth report, to the file named by $OUT.
_NVIM_PROBE = (
    "lua local lines = { 'commands: ' .. vim.fn.exists(':ProviderRuntimeRun') }"
    " vim.cmd('silent checkhealth provider_runtime')"
    " vim.list_extend(lines, vim.api.nvim_buf_get_lines(0, 0, -1, false))"
    " vim.fn.writefile(lines, vim.env.OUT)"
)


def _nvim_report(nvim: str, init: str, env: dict[str, str], tmp_path: Path) -> list[str]:
    out = tmp_path / "report.txt"
    env["OUT"] = str(out)
    _run([nvim, "--headless", "-u", init, "-i", "NONE", "-c", _NVIM_PROBE, "-c", "qa!"], env, ROOT)
    lines = out.read_text().splitlines()
    assert lines[0] == "commands: 2", "the plugin's commands are not defined"
    return lines


def _assert_healthy(lines: list[str]) -> None:
    report = "\n".join(lines)
    version = f"version: provider-runtime {_daemon_version()}"
    for expected in ("daemon found: `provider-runtime serve`", version, "echo (echo): none"):
        assert any(expected in line and "OK" in line for line in lines), f"{expected}:\n{report}"
    assert "ERROR" not in report, report


def _daemon_version() -> str:
    done = subprocess.run(
        [*shlex.split(_daemon_command()), "--version"], capture_output=True, text=True, timeout=60
    )
    return done.stdout.split()[-1]


@pytest.mark.parametrize("nvim", NEOVIMS)
def test_neovim_readme_runtimepath_lines_load_the_plugin(nvim: str, tmp_path: Path) -> None:
    _require(nvim)
    env = _environment(tmp_path)
    _daemon_on_path(tmp_path, env)
    init = _fenced_block(CLIENTS / "neovim" / "README.md", "vim", "set runtimepath+=")
    init_file = tmp_path / "init.vim"
    init_file.write_text(init.replace(CLONE, str(ROOT)))
    lines = _nvim_report(nvim, str(init_file), env, tmp_path)
    _assert_healthy(lines)
    assert any("model: echo/echo-1 (the `model` option)" in line for line in lines), lines


@pytest.mark.parametrize("nvim", NEOVIMS)
def test_neovim_readme_native_package_loads_with_no_config(nvim: str, tmp_path: Path) -> None:
    _require(nvim)
    env = _environment(tmp_path)
    _daemon_on_path(tmp_path, env)
    env["HOME"] = str(tmp_path / "home")
    env.pop("XDG_DATA_HOME")  # the README's ~/.local/share/nvim/site is the default data dir
    script = _fenced_block(CLIENTS / "neovim" / "README.md", "sh", "site/pack")
    _run(["sh", "-ec", script.replace(CLONE, str(ROOT))], env, tmp_path)
    _assert_healthy(_nvim_report(nvim, "NORC", env, tmp_path))  # NORC: no init, but plugins


# --------------------------------------------------------------------------- Emacs

EMACS_FILE = CLIENTS / "emacs" / "provider-runtime.el"


def _interactive_commands(source: str) -> dict[str, bool]:
    """Each interactive defun's name -> whether an autoload cookie precedes it."""
    commands: dict[str, bool] = {}
    starts = [m.start() for m in re.finditer(r"^\(", source, re.M)] + [len(source)]
    for start, end in pairwise(starts):
        named = re.match(r"\(defun ([\w-]+) ", source[start:end])
        if named and re.search(r"^\s+\(interactive\b", source[start:end], re.M):
            commands[named.group(1)] = source[:start].endswith(";;;###autoload\n")
    return commands


def test_emacs_package_header_is_complete() -> None:
    source = EMACS_FILE.read_text()
    header = source.split(";;; Commentary:")[0]
    for field in ("Version", "Package-Requires", "Keywords", "URL", "Author"):
        assert re.search(rf"^;; {field}: \S", header, re.M), f"no {field} in the header"
    assert '(emacs "27.1")' in header and "(jsonrpc " in header
    assert source.rstrip().endswith(";;; provider-runtime.el ends here")
    commands = _interactive_commands(source)
    assert len(commands) >= 6, commands
    assert all(commands.values()), f"commands without ;;;###autoload: {commands}"


_EMACS_INSTALL = """(progn
  (require 'package)
  (setq package-user-dir (getenv "ELPA") package-archives nil)
  (package-initialize)
  (package-install-file (getenv "EL_FILE"))
  (unless (package-installed-p 'provider-runtime) (error "not installed")))"""

# A fresh session: the commands are autoloads until the first one runs; that one loads the
# package, starts the daemon and shows the echo models.
_EMACS_USE = """(progn
  (require 'package)
  (setq package-user-dir (getenv "ELPA") package-archives nil)
  (package-initialize)
  (dolist (command (read (getenv "COMMANDS")))
    (unless (and (fboundp command) (autoloadp (symbol-function command)))
      (error "%s is not an autoloaded command" command)))
  (when (featurep 'provider-runtime) (error "loaded before the first command"))
  (setq provider-runtime-command (list (getenv "DAEMON") "serve"))
  (provider-runtime-models '("echo"))
  (unless (featurep 'provider-runtime) (error "the command did not load the package"))
  (princ (with-current-buffer "*provider-runtime*" (buffer-string)))
  (provider-runtime-stop))"""


def test_emacs_package_install_file_autoloads_the_commands(tmp_path: Path) -> None:
    _require("emacs")
    env = _environment(tmp_path)
    commands = sorted(_interactive_commands(EMACS_FILE.read_text()))
    env |= {
        "ELPA": str(tmp_path / "elpa"),
        "EL_FILE": str(EMACS_FILE),
        "COMMANDS": f"({' '.join(commands)})",
        "DAEMON": str(_daemon_on_path(tmp_path, env)),
    }
    _run(["emacs", "-Q", "--batch", "--eval", _EMACS_INSTALL], env, tmp_path)
    installed = list((tmp_path / "elpa").glob("provider-runtime-*/provider-runtime.elc"))
    assert len(installed) == 1, "the package is not byte-compiled into package-user-dir"
    used = _run(["emacs", "-Q", "--batch", "--eval", _EMACS_USE], env, tmp_path)
    assert used.stdout.splitlines()[0].startswith("echo/echo-1  32768 ctx"), used.stdout


def test_emacs_readme_use_package_lists_the_autoloaded_commands() -> None:
    snippet = _fenced_block(CLIENTS / "emacs" / "README.md", "elisp", "(use-package")
    assert f':load-path "{CLONE}/editor-clients/emacs"' in snippet
    listed = re.search(r":commands \((.*?)\)", snippet, re.S)
    assert listed, snippet
    assert sorted(listed.group(1).split()) == sorted(_interactive_commands(EMACS_FILE.read_text()))


# --------------------------------------------------------------------------- VS Code


def _settings_read(sources: str) -> dict[str, str | None]:
    """Each setting key the extension reads or writes -> the literal fallback after its get()."""
    keys: dict[str, str | None] = {}
    for key, fallback in re.findall(
        r"\.get<[^>]*>\('(\w+)'\)(?:\s*(?:\|\||\?\?)\s*('[^']*'|\[[^\]]*\]))?", sources
    ):
        keys[key] = fallback or None
    for key in re.findall(r"\.update\('(\w+)'", sources):
        keys.setdefault(key, None)
    restart = re.search(r"DAEMON_SETTINGS = \[([^\]]*)\]", sources)
    for key in re.findall(r"'(\w+)'", restart.group(1) if restart else ""):
        keys.setdefault(key, None)
    return keys


def test_vscode_every_setting_read_is_declared_with_its_default() -> None:
    manifest = json.loads((VSCODE / "package.json").read_text())
    declared = manifest["contributes"]["configuration"]["properties"]
    sources = "\n".join(p.read_text() for p in sorted((VSCODE / "src").glob("*.ts")))
    section = re.search(r"const SECTION = '(\w+)'", sources)
    assert section and "getConfiguration(SECTION)" in sources
    read = _settings_read(sources)
    assert {"daemonPath", "model"} <= set(read), read
    for key, fallback in read.items():
        entry = declared.get(f"{section.group(1)}.{key}")
        assert entry, f"{key} is read but not in contributes.configuration"
        assert {"type", "default", "description"} <= set(entry), f"{key}: {entry}"
        if fallback is not None:
            assert json.loads(fallback.replace("'", '"')) == entry["default"], key
    unused = {name.split(".", 1)[1] for name in declared} - set(read)
    assert not unused, f"declared but never read: {unused}"


def test_vscode_readme_installs_the_vsix_that_npm_run_package_builds() -> None:
    manifest = json.loads((VSCODE / "package.json").read_text())
    assert "--out" not in manifest["scripts"]["package"]  # vsce names it name-version.vsix
    vsix = f"{manifest['name']}-{manifest['version']}.vsix"
    for overview in (VSCODE / "README.md", CLIENTS / "README.md"):
        assert f"code --install-extension {vsix}" in overview.read_text(), overview
    readme = (VSCODE / "README.md").read_text()
    for name in manifest["contributes"]["configuration"]["properties"]:
        assert f"`{name}`" in readme, f"{name} is not documented"


# --------------------------------------------------------------------------- shell


def test_shell_client_installed_as_the_readme_says_runs_outside_the_repo(tmp_path: Path) -> None:
    _require("bash", "jq", "flock")
    env = _environment(tmp_path)
    env["HOME"] = str(tmp_path / "home")
    env.pop("PROVIDER_RUNTIME_CMD")  # the default: `provider-runtime` on PATH
    _daemon_on_path(tmp_path, env)
    script = _fenced_block(CLIENTS / "shell" / "README.md", "sh", "install -m 755")
    _run(["sh", "-ec", script], env, ROOT)
    installed = tmp_path / "home" / ".local" / "bin" / "provider-runtime-rpc"
    assert installed.stat().st_mode & 0o777 == 0o755
    work = tmp_path / "elsewhere"
    work.mkdir()
    done = _run([str(installed), "run", "--model", "echo/echo-1", "hi"], env, work)
    assert done.stdout == "echo: hi\n"
    assert "usage: " in done.stderr
