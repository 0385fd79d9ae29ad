#!/usr/bin/env bash
# Put `provider-runtime` on PATH (`make install`): a private virtualenv holding the package and
# its runtime dependencies only, at $PREFIX/share/provider-runtime/venv, and a link to its
# command in $PREFIX/bin (PREFIX defaults to ~/.local, whose bin/ most shells already have on
# PATH). The same layout pipx makes; works where pip refuses --user (PEP 668 system Pythons).
# Usage: scripts/install.sh [SOURCE]   SOURCE: the checkout (default), a wheel or an sdist.
# Re-running replaces the install; `scripts/install.sh --uninstall` removes it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${PREFIX:-$HOME/.local}
PYTHON=${PYTHON:-python3}
venv=$PREFIX/share/provider-runtime/venv
link=$PREFIX/bin/provider-runtime

if [[ ${1:-} == --uninstall ]]; then
  rm -rf "$venv" && rm -f "$link"
  echo "provider-runtime: removed $venv and $link"
  exit 0
fi
source=${1:-$ROOT}

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "provider-runtime needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 1
}
rm -rf "$venv"
"$PYTHON" -m venv "$venv"
# With the uvloop extra: the daemon runs on uvloop's event loop when it is installed (about 5%
# off each call through the daemon, benchmarks/README.md); asyncio's own loop otherwise.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$source[uvloop]"
mkdir -p "$PREFIX/bin"
ln -sfn "$venv/bin/provider-runtime" "$link"

echo "provider-runtime $("$link" --version | cut -d' ' -f2) installed: $link"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "$PREFIX/bin is not on your PATH; add it, e.g.: export PATH=\"$PREFIX/bin:\$PATH\"" ;;
esac
