"""Errors a user can act on, met through the spawned daemon and the real CLI: each names what
is wrong and how to fix it (malformed model ids, unknown providers in listings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from provider_runtime.catalog import check_model_reference
from provider_runtime.core.errors import RoutingError
from provider_runtime.core.types import ModelCatalog, ModelInfo
from tests.daemon_client import isolated_env, run_params, spawn_daemon

CLI = [sys.executable, "-m", "provider_runtime"]


def cli(tmp: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, isolated from the user's config and keys; stdin empty unless given."""
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        env=isolated_env(tmp),
        timeout=60,
    )


# --------------------------------------------------------------------------- malformed model ids

CATALOG = ModelCatalog(
    models=[ModelInfo(provider="echo", id="echo-1"), ModelInfo(provider="openai", id="gpt-4o")]
)
CONFIGURED = ["anthropic", "echo", "openai"]


@pytest.mark.parametrize(
    ("text", "says", "suggests"),
    [
        ("", "the model is empty", "`echo/echo-1`"),
        ("  ", "the model is empty", "`echo/echo-1`"),
        ("echo/", "names provider `echo` but no model after the `/`", "`echo/MODEL`"),
        ("/echo-1", "no provider before the `/`", "`echo/echo-1`"),
        ("/gpt-4o", "no provider before the `/`", "`openai/gpt-4o`"),
        ("/mystery", "no provider before the `/`", "`anthropic/mystery`"),
        ("openrouter//x", "an empty part between two `/`", "`openrouter/x`"),
    ],
)
def test_a_malformed_id_names_its_empty_part(text: str, says: str, suggests: str) -> None:
    with pytest.raises(RoutingError) as err:
        check_model_reference(text, CATALOG, CONFIGURED)
    message = err.value.message
    assert says in message and suggests in message
    assert "//" not in message.replace(f"`{text}`", "")  # no suggestion keeps an empty part


@pytest.mark.parametrize("text", ["echo/echo-1", "gpt-4o", "openrouter/meta-llama/llama-3"])
def test_well_formed_ids_pass(text: str) -> None:
    check_model_reference(text, CATALOG, CONFIGURED)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("", "the model is empty"),
        ("echo/", "`echo/MODEL`"),
        ("/echo-1", "e.g. `echo/echo-1`"),
    ],
)
def test_cli_refuses_malformed_model_ids(tmp_path: Path, model: str, expected: str) -> None:
    done = cli(tmp_path, "run", "-m", model, "hi")
    assert done.returncode == 1, done
    assert expected in done.stderr and "[routing]" in done.stderr
    assert done.stdout == ""  # `-m ''` is not quietly the default model


async def test_daemon_refuses_malformed_model_ids(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        for model, expected in [("echo/", "`echo/MODEL`"), ("/echo-1", "`echo/echo-1`")]:
            reply = await d.request("runtime/run", run_params("hi", model=model))
            assert reply["error"]["code"] == -32002
            assert expected in reply["error"]["message"]
            assert "//" not in reply["error"]["message"].replace(f"`{model}`", "")


# --------------------------------------------------------------------------- listings


async def test_models_for_an_unknown_provider_warn(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        reply = await d.request("runtime/models", {"providers": ["echo", "mistral"]})
        result = reply["result"]
        assert {m["provider"] for m in result["models"]} == {"echo"}
        [warning] = result["warnings"]
        assert warning["code"] == "routing.unknown_provider"
        assert (
            "`mistral`" in warning["message"]
            and "configured: anthropic, echo" in (warning["message"])
        )
        assert warning["details"]["provider"] == "mistral"
        known = await d.request("runtime/models", {"providers": ["echo"]})
        assert known["result"]["warnings"] == []


def test_cli_models_for_an_unknown_provider_warn(tmp_path: Path) -> None:
    done = cli(tmp_path, "models", "--provider", "mistral")
    assert done.returncode == 0
    assert "[routing.unknown_provider] unknown provider `mistral`" in done.stderr
