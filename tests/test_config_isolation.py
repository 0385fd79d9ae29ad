"""A config mistake costs only what it touches: the real daemon and the real CLI, end to end.

A bad provider table, price rule, model entry or provider environment variable puts that entry
out of service; every other call (echo included) still works, and the problems are listed as
warnings by ``initialize``, ``runtime/reloadConfig`` and ``provider-runtime config``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import loopback_provider

BAD_PROVIDERS = """
[providers.openai]
api_key_evn = "MY_KEY"

[providers.litellm]
type = "openai-compatible"
base_url = "http://127.0.0.1:4000/v1"
"""

BAD_ENTRIES = """
[[pricing]]
provider = "echo"
model = "echo-1"
pricing = { input = -1, output = "2" }

[[models]]
provider = "echo"
id = "big"
context_window = "large"
"""


def config_warnings(result: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {w["details"]["key"]: w for w in result["warnings"] if w["code"] == "config.invalid"}


async def test_a_bad_provider_table_disables_only_that_provider(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, ANTHROPIC_API_KEY="sk-ant-test")
    async with spawn_daemon(tmp_path, config=BAD_PROVIDERS, env=env) as d:
        init = (await d.request("initialize"))["result"]
        assert init["configError"] is None
        found = config_warnings(init)
        typo = found["providers.openai.api_key_evn"]["message"]
        assert "did you mean `api_key_env`?" in typo and str(tmp_path / "config.toml") in typo
        enum = found["providers.litellm.type"]["message"]
        assert "did you mean `openai_compatible`?" in enum
        assert {p["id"] for p in init["providers"]} == {
            "anthropic",
            "bedrock",
            "echo",
            "google",
            "openrouter",
        }

        assert (await d.request("runtime/run", run_params("hi")))["result"]["output"]["content"]
        for model, key in [
            ("openai/gpt-4o", "providers.openai.api_key_evn"),
            ("gpt-4o", "providers.openai.api_key_evn"),  # a bare id routes to it, then fails
            ("litellm/any-model", "providers.litellm.type"),
        ]:
            error = (await d.request("runtime/run", run_params("hi", model)))["error"]
            assert error["code"] == -32001, (model, error)
            assert error["data"]["key"] == key and error["data"]["path"].endswith("config.toml")
            assert "out of service until this is fixed" in error["message"]

        reloaded = (await d.request("runtime/reloadConfig"))["result"]
        assert set(config_warnings(reloaded)) == set(found)
        models = (await d.request("runtime/models", {"remote": True}))["result"]
        failed = {w["details"]["provider"] for w in models["warnings"]}
        assert {"openai", "litellm"} <= failed


async def test_a_bad_base_url_in_the_environment_disables_only_that_provider(
    tmp_path: Path,
) -> None:
    env = isolated_env(tmp_path, OPENAI_BASE_URL="localhost:4000/v1")
    async with spawn_daemon(tmp_path, config=None, env=env) as d:
        init = (await d.request("initialize"))["result"]
        assert init["configError"] is None
        warning = config_warnings(init)["providers.openai.base_url"]
        assert "$OPENAI_BASE_URL" in warning["message"]
        assert (await d.request("runtime/run", run_params("hi")))["result"]
        error = (await d.request("runtime/run", run_params("hi", "openai/gpt-4o")))["error"]
        assert error["code"] == -32001 and "$OPENAI_BASE_URL" in error["message"]
        assert "http://" in error["message"]  # the fix: a scheme


async def test_a_bad_price_rule_or_model_entry_refuses_only_the_calls_it_covers(
    tmp_path: Path,
) -> None:
    async with spawn_daemon(tmp_path, config=BAD_ENTRIES) as d:
        init = (await d.request("initialize"))["result"]
        assert set(config_warnings(init)) == {
            "pricing[0].pricing.input",
            "models[0].context_window",
        }
        priced = (await d.request("runtime/run", run_params("hi", "echo/echo-1")))["error"]
        assert priced["code"] == -32001 and priced["data"]["key"] == "pricing[0].pricing.input"
        assert ">= 0" in priced["message"]
        model = (await d.request("runtime/run", run_params("hi", "echo/big")))["error"]
        assert model["code"] == -32001 and model["data"]["key"] == "models[0].context_window"
        other = await d.request("runtime/run", run_params("hi", "echo/echo-lite"))
        assert other["result"]["output"]["content"]


async def test_a_file_that_is_not_toml_leaves_the_echo_provider_working(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path, config="[providers.openai\ntimeout = 3\n") as d:
        init = (await d.request("initialize"))["result"]
        assert init["configError"]["code"] == -32001
        assert [p["id"] for p in init["providers"]] == ["echo"]
        assert (await d.request("runtime/run", run_params("hi")))["result"]["output"]["content"]
        for model in ("openai/gpt-4o", "mine/some-model", "gpt-4o"):
            error = (await d.request("runtime/run", run_params("hi", model)))["error"]
            assert error["code"] == -32001 and "invalid TOML" in error["message"], model
        # a reload that still fails answers with the new error and keeps echo serving
        (tmp_path / "config.toml").write_text("default_model = [\n")
        assert (await d.request("runtime/reloadConfig"))["error"]["code"] == -32001
        error = (await d.request("runtime/run", run_params("hi", "openai/gpt-4o")))["error"]
        assert "end of document" in error["message"]
        assert (await d.request("runtime/run", run_params("hi")))["result"]


def cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "provider_runtime", *args],
        capture_output=True,
        text=True,
        env=env or isolated_env(tmp_path),
        timeout=60,
        check=False,
    )


def test_cli_config_lists_problems_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(BAD_PROVIDERS + BAD_ENTRIES)
    shown = cli(tmp_path, "config", "--config", str(path))
    assert shown.returncode == 0, shown.stderr
    assert "[config.invalid]" in shown.stdout and "did you mean `api_key_env`?" in shown.stdout
    described = json.loads(cli(tmp_path, "config", "--json", "--config", str(path)).stdout)
    keys = {w["details"]["key"] for w in described["warnings"]}
    assert keys == {
        "providers.openai.api_key_evn",
        "providers.litellm.type",
        "pricing[0].pricing.input",
        "models[0].context_window",
    }
    ran = cli(tmp_path, "run", "--config", str(path), "-m", "echo/echo-lite", "hi")
    assert ran.returncode == 0 and ran.stdout.strip(), ran.stderr
    refused = cli(tmp_path, "run", "--config", str(path), "-m", "openai/gpt-4o", "hi")
    assert refused.returncode == 1 and "api_key_evn" in refused.stderr


def test_cli_runs_echo_with_a_file_that_is_not_toml_but_config_fails(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("timeout = = 3\n")
    ran = cli(tmp_path, "run", "--config", str(path), "hi")
    assert ran.returncode == 0 and ran.stdout.strip(), ran.stderr
    assert "invalid TOML" in ran.stderr
    shown = cli(tmp_path, "config", "--config", str(path))
    assert shown.returncode == 1 and "invalid TOML" in shown.stderr


def test_a_missing_file_from_the_environment_says_where_its_path_came_from(
    tmp_path: Path,
) -> None:
    env = isolated_env(tmp_path, PROVIDER_RUNTIME_CONFIG=str(tmp_path / "nowhere.toml"))
    shown = cli(tmp_path, "config", env=env)
    assert shown.returncode == 1
    assert "does not exist (the path came from $PROVIDER_RUNTIME_CONFIG)" in shown.stderr


def test_help_and_config_list_the_paths_searched(tmp_path: Path) -> None:
    wide = isolated_env(tmp_path, COLUMNS="400")  # argparse would break lines at hyphens
    for args in (["--help"], ["config", "--help"]):
        text = " ".join(cli(tmp_path, *args, env=wide).stdout.split())
        assert "$PROVIDER_RUNTIME_CONFIG" in text, args
        assert "$XDG_CONFIG_HOME/provider-runtime/config.toml" in text, args
        assert "~/.config/provider-runtime/config.toml" in text, args
    shown = cli(tmp_path, "config").stdout
    assert "$PROVIDER_RUNTIME_CONFIG" in shown
    assert str(tmp_path / "xdg" / "provider-runtime" / "config.toml") in shown


# --------------------------------------------------------------------------- request field hints


async def test_an_unknown_request_field_names_the_canonical_one(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        error = (await d.request("runtime/run", run_params("hi", max_tokens=5)))["error"]
        assert error["code"] == -32602 and "use `max_output_tokens` instead" in error["message"]
        typo = (await d.request("runtime/run", run_params("hi", temprature=0.5)))["error"]
        assert "did you mean `temperature`?" in typo["message"]


# --------------------------------------------------------------------------- prices in listings


PRICED_ECHO = """
[[pricing]]
provider = "echo"
model = "echo-l*"
pricing = { input = "0.5", output = "1.5" }
"""


async def test_price_rules_show_in_model_listings(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path, config=PRICED_ECHO) as d:
        models = (await d.request("runtime/models"))["result"]["models"]
        by_id = {m["id"]: m for m in models if m["provider"] == "echo"}
        assert by_id["echo-lite"]["pricing"]["input"] == "0.5"
        assert by_id["echo-lite"]["pricing"]["output"] == "1.5"
        # The rule's glob does not cover echo-1: it keeps the catalog's zero price.
        assert (by_id["echo-1"]["pricing"]["input"], by_id["echo-1"]["pricing"]["output"]) == (
            "0",
            "0",
        )
        run = (await d.request("runtime/run", run_params("hi", "echo/echo-lite")))["result"]
        assert run["cost"]["source"] == "user_config"
    path = tmp_path / "config.toml"
    listed = json.loads(cli(tmp_path, "models", "--json", "--config", str(path)).stdout)
    lite = next(m for m in listed["models"] if m["id"] == "echo-lite")
    assert (lite["pricing"]["input"], lite["pricing"]["output"]) == ("0.5", "1.5")
    table = cli(tmp_path, "models", "--config", str(path)).stdout
    row = next(line for line in table.splitlines() if line.startswith("echo/echo-lite "))
    assert "0.5" in row.split() and "1.5" in row.split()


# --------------------------------------------------------------------------- supports_reasoning


async def test_supports_reasoning_false_drops_reasoning_with_a_warning(tmp_path: Path) -> None:
    async with loopback_provider() as server:
        config = (
            f'[providers.litellm]\ntype = "openai_compatible"\nbase_url = "{server.url}/v1"\n'
            "[providers.litellm.quirks]\nsupports_reasoning = false\n"
            f'[providers.vllm]\ntype = "openai_compatible"\nbase_url = "{server.url}/v1"\n'
        )
        async with spawn_daemon(tmp_path, config=config) as d:
            init = (await d.request("initialize"))["result"]
            assert init["warnings"] == []
            effort = {"reasoning": {"effort": "high"}}
            dropped = await d.request("runtime/run", run_params("hi", "litellm/m1", **effort))
            kept = await d.request("runtime/run", run_params("hi", "vllm/m2", **effort))
    codes = [w["code"] for w in dropped["result"]["warnings"]]
    assert "capability.reasoning_removed" in codes
    assert "reasoning_effort" not in server.attempts("m1")[0].json
    assert server.attempts("m2")[0].json["reasoning_effort"] == "high"
    assert kept["result"]["output"]["content"]
