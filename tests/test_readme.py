"""The README's library example runs as written (on the offline provider, no keys, no config)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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
    assert "pricing.missing" in done.stdout  # the offline model has no price: a warning, not $0
