"""protocol.md agrees with the code: every annotated example decodes with the real types.

A fenced block preceded by ``<!-- decode: TypeName -->`` is decoded with msgspec into that type
(from ``provider_runtime.core.types``, else ``provider_runtime.config``); a ``toml`` block
marked ``<!-- decode: config -->`` is loaded with ``load_config``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest

from provider_runtime import config as config_module
from provider_runtime.config import load_config
from provider_runtime.core import types as types_module
from provider_runtime.core.errors import ErrorKind
from provider_runtime.server.errors import ERROR_CODES

PROTOCOL = Path(__file__).resolve().parent.parent / "protocol.md"
MARKER = re.compile(r"^<!--\s*decode:\s*(?P<type>[A-Za-z_][A-Za-z0-9_]*)\s*-->\s*$")
FENCE = re.compile(r"^```(?P<lang>[a-z]*)\s*$")


@dataclass(frozen=True)
class Example:
    type_name: str
    lang: str
    line: int  # 1-based line of the opening fence
    body: str


def examples(text: str) -> list[Example]:
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        marker = MARKER.match(line.strip())
        if not marker:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE.match(lines[j].strip()) if j < len(lines) else None
        assert fence, f"protocol.md:{i + 1}: decode marker not followed by a fenced block"
        end = next(k for k in range(j + 1, len(lines)) if lines[k].strip() == "```")
        body = "\n".join(lines[j + 1 : end])
        found.append(Example(marker["type"], fence["lang"], j + 1, body))
    return found


def section(text: str, number: int) -> str:
    match = re.search(rf"^## {number}\. .*?(?=^## \d+\. |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"protocol.md has no section {number}"
    return match.group(0)


TEXT = PROTOCOL.read_text()
EXAMPLES = examples(TEXT)


def resolve(name: str) -> Any:
    for module in (types_module, config_module):
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AssertionError(f"`{name}` is not a type of provider_runtime.core.types or .config")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"L{e.line}-{e.type_name}")
def test_annotated_example_decodes(example: Example, tmp_path: Path) -> None:
    if example.type_name == "config":
        assert example.lang == "toml", f"line {example.line}: config examples are TOML"
        path = tmp_path / "config.toml"
        path.write_text(example.body)
        path.chmod(0o600)
        load_config(path, env={})
        return
    assert example.lang == "json", f"line {example.line}: `{example.type_name}` examples are JSON"
    kind = resolve(example.type_name)
    try:
        msgspec.json.decode(example.body, type=kind)
    except msgspec.ValidationError as exc:
        pytest.fail(f"protocol.md line {example.line} ({example.type_name}): {exc}")


def test_the_extractor_finds_marked_blocks_only() -> None:
    sample = (
        '<!-- decode: Usage -->\n```json\n{}\n```\n\n```json\n{"x": 1}\n```\n'
        "<!-- decode: config -->\n\n```toml\na = 1\n```\n"
    )
    found = examples(sample)
    assert [(e.type_name, e.lang, e.body) for e in found] == [
        ("Usage", "json", "{}"),
        ("config", "toml", "a = 1"),
    ]


def test_required_examples_are_present() -> None:
    marked = {e.type_name for e in EXAMPLES}
    assert {"ProviderRequest", "ProviderResponse", "config"} <= marked


def test_section_1_names_every_canonical_type() -> None:
    body = section(TEXT, 1)
    missing = [name for name in types_module.__all__ if f"`{name}`" not in body]
    assert missing == []


def test_section_2_lists_every_error_kind_with_its_code() -> None:
    body = section(TEXT, 2)
    rows = {
        m["kind"]: int(m["code"])
        for m in re.finditer(r"^\| `(?P<kind>[a-z_]+)` \| (?P<code>-?\d+) \|", body, re.MULTILINE)
    }
    assert rows == {kind.value: code for kind, code in ERROR_CODES.items()}
    assert set(rows) == {k.value for k in ErrorKind}


def test_section_7_documents_every_provider_setting() -> None:
    body = section(TEXT, 7)
    for struct in (config_module.ProviderConfig, config_module.OpenAICompatQuirks):
        for field in struct.__struct_fields__:
            assert f"`{field}`" in body, f"§7 does not mention `{field}`"
