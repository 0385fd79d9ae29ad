"""Anthropic's `temperature` + `top_p` pair, by the catalog's `temperature_with_top_p` (§4, §6):
the bundled rule and a config `[[models]]` override, through the spawned daemon."""

from __future__ import annotations

from pathlib import Path

from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import ANTHROPIC_OK, loopback_provider, reply

CONFIG = """
[providers.anthropic]
base_url = "{url}/v1"
max_retries = 0
"""
# A deployment that knows better than the bundled rule says so in its config.
OVERRIDE = """
[[models]]
provider = "anthropic"
id = "claude-3-7-sonnet-latest"
capabilities = {{ temperature_with_top_p = false }}
"""


async def _sent(tmp_path: Path, config: str, model: str) -> tuple[dict[str, object], list[str]]:
    async with loopback_provider(default=reply(200, ANTHROPIC_OK)) as server:
        env = isolated_env(tmp_path, ANTHROPIC_API_KEY="sk-ant-test")
        async with spawn_daemon(tmp_path, config=config.format(url=server.url), env=env) as d:
            params = run_params("hi", model=f"anthropic/{model}", temperature=0.4, top_p=0.8)
            result = (await d.request("runtime/run", params))["result"]
    [exchange] = server.exchanges
    body = exchange.json
    return {k: body[k] for k in ("temperature", "top_p") if k in body}, [
        w["code"] for w in result["warnings"]
    ]


async def test_claude_3_takes_both_and_claude_4_only_temperature(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sent, codes = await _sent(tmp_path / "a", CONFIG, "claude-3-7-sonnet-latest")
    assert sent == {"temperature": 0.4, "top_p": 0.8} and codes == []
    sent, codes = await _sent(tmp_path / "b", CONFIG, "claude-sonnet-4-5")
    assert sent == {"temperature": 0.4}
    assert codes == ["unsupported.sampling_parameters"]


async def test_a_config_models_entry_overrides_the_bundled_rule(tmp_path: Path) -> None:
    sent, codes = await _sent(tmp_path, CONFIG + OVERRIDE, "claude-3-7-sonnet-latest")
    assert sent == {"temperature": 0.4}
    assert codes == ["unsupported.sampling_parameters"]
