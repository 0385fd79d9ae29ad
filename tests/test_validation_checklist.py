"""The plan's final validation checklist and module isolation rules, each as a test."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import httpx
import msgspec
import pytest
import respx

import provider_runtime
from provider_runtime import ProviderRuntime
from provider_runtime.core import (
    AssistantOutput,
    FinishReason,
    Message,
    MessageRole,
    ProviderRequest,
    ProviderResponse,
    ToolCall,
    ToolDefinition,
    types,
)

from .fakes import DictTokens, FakeAdapter

PACKAGE = Path(provider_runtime.__file__).parent

# What each module may import from the package (the plan's section 4, "Module Isolation").
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "transport": {"core", "transport", "redact"},  # redact: stdlib-only secret masking
    "pricing": {"core", "pricing", "catalog"},  # prices are read from the pure catalog index
    "catalog": {"core", "catalog"},
    "handoff": {"core", "handoff"},
    "registry": {"core", "registry", "catalog"},
    "providers": {"core", "transport", "providers", "config"},
    "runtime": {
        "core",
        "runtime",
        "registry",
        "pricing",
        "catalog",
        "handoff",
        "transport",
        "providers",
        "config",
        "credentials",
    },
}


def package_imports(path: Path) -> set[str]:
    """Top-level package subpackages a module imports (relative or absolute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE).parts
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[: len(rel) - node.level])
                target = [*base, *(node.module.split(".") if node.module else [])]
                if target:
                    found.add(target[0])
                else:  # `from .. import x` at the package root
                    found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("provider_runtime."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("provider_runtime."):
                    found.add(alias.name.split(".")[1])
    return found


@pytest.mark.parametrize("area", sorted(ALLOWED))
def test_module_isolation(area: str) -> None:
    files = sorted((PACKAGE / area).rglob("*.py"))
    assert files, f"no modules in {area}"
    offending = {
        str(f.relative_to(PACKAGE)): sorted(package_imports(f) - ALLOWED[area]) for f in files
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_core_never_imports_http_or_provider_code() -> None:
    for f in (PACKAGE / "core").rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        assert "import httpx" not in text and "from httpx" not in text, f


def test_isolation_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    # The checker above must be able to fail: a module of pricing importing transport is caught.
    fake = PACKAGE / "pricing" / "_probe_for_test.py"
    fake.write_text("from ..transport import http\n")
    try:
        assert "transport" in package_imports(fake)
    finally:
        fake.unlink()


def test_no_streaming_anywhere() -> None:
    names = set(dir(ProviderRuntime)) | set(types.__all__)
    assert not [n for n in names if "stream" in n.lower()]
    for name in types.__all__:
        obj = getattr(types, name)
        if isinstance(obj, type) and issubclass(obj, msgspec.Struct):
            assert not [f for f in obj.__struct_fields__ if "stream" in f], name


@respx.mock
async def test_encoded_requests_never_ask_for_a_stream(tmp_path: Path) -> None:
    from provider_runtime.config import load_config
    from provider_runtime.credentials import ConfigTokenProvider

    env = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "OPENROUTER_API_KEY": "k"}
    path = tmp_path / "c.toml"
    path.write_text("")
    config = load_config(path, env=env)
    rt = (
        ProviderRuntime.builder()
        .config(config)
        .token_provider(ConfigTokenProvider(config, env=env))
        .build()
    )
    bodies: list[dict[str, object]] = []

    def capture(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(500, json={"error": {"message": "stop here"}})

    respx.route().mock(side_effect=capture)
    for model in ("openai/gpt-4o", "anthropic/claude-sonnet-4-5", "openrouter/openai/gpt-4o"):
        with pytest.raises(provider_runtime.core.ProviderError):
            await rt.run(
                ProviderRequest(
                    model=model, messages=[Message(role=MessageRole.USER, content="hi")]
                )
            )
    assert len(bodies) >= 3
    assert all(not body.get("stream") for body in bodies)


def test_runtime_surface_is_async_only() -> None:
    assert inspect.iscoroutinefunction(ProviderRuntime.run)
    assert inspect.iscoroutinefunction(ProviderRuntime.discover_models)
    public = [n for n in vars(ProviderRuntime) if not n.startswith("_")]
    assert "export_catalog_json" in public and "builder" in public


async def test_no_tool_loop_one_call_per_run_even_when_the_model_asks_for_tools() -> None:
    def wants_tool(request: ProviderRequest, context: object) -> ProviderResponse:
        return ProviderResponse(
            provider="alpha",
            model="m",
            output=AssistantOutput(content=[ToolCall(id="c1", name="lookup", arguments={})]),
            finish_reason=FinishReason.TOOL_CALLS,
        )

    alpha = FakeAdapter("alpha", reply=wants_tool)
    rt = ProviderRuntime.builder().adapter(alpha).token_provider(DictTokens({})).build()
    request = ProviderRequest(
        model="alpha/m",
        messages=[Message(role=MessageRole.USER, content="go")],
        tools=[ToolDefinition(name="lookup")],
    )
    response = await rt.run(request)
    assert len(alpha.calls) == 1
    assert response.finish_reason == FinishReason.TOOL_CALLS  # handed back, not executed


def test_canonical_types_name_no_provider_shapes() -> None:
    source = (PACKAGE / "core" / "types.py").read_text(encoding="utf-8")
    for native in ("tool_use", "input_schema", "function_call", "choices", "stop_reason"):
        assert native not in source, native
