"""The shared config file: where it is found, built-in defaults, validation errors, warnings."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from provider_runtime.assembly import retry_policy
from provider_runtime.config import (
    OpenAICompatQuirks,
    ProviderConfig,
    RuntimeConfig,
    config_path,
    credential_source,
    describe_config,
    load_config,
)
from provider_runtime.core.errors import ConfigError
from provider_runtime.core.types import ModelPricing
from provider_runtime.pricing.rules import PriceRule
from provider_runtime.transport.http import RetryPolicy

BUILTINS = {"openai", "anthropic", "openrouter", "bedrock", "google", "echo"}


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def fails(text: str, tmp_path: Path, env: dict[str, str] | None = None) -> ConfigError:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env=env or {}, strict=True)
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}")
    return info.value


# --------------------------------------------------------------------------- finding the file


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """One config file at each location, each naming itself in default_model."""
    files = {
        "explicit": tmp_path / "explicit.toml",
        "env": tmp_path / "from-env.toml",
        "xdg": tmp_path / "xdg" / "provider-runtime" / "config.toml",
        "home": tmp_path / "home" / ".config" / "provider-runtime" / "config.toml",
    }
    for name, path in files.items():
        write(path, f'default_model = "echo/{name}"\n')
    return files


def full_env(tmp_path: Path, files: dict[str, Path]) -> dict[str, str]:
    return {
        "PROVIDER_RUNTIME_CONFIG": str(files["env"]),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "HOME": str(tmp_path / "home"),
    }


def test_precedence(tmp_path: Path, layout: dict[str, Path]) -> None:
    env = full_env(tmp_path, layout)
    assert load_config(layout["explicit"], env=env).default_model == "echo/explicit"
    assert load_config(str(layout["explicit"]), env=env).path == str(layout["explicit"])
    assert load_config(env=env).default_model == "echo/env"
    del env["PROVIDER_RUNTIME_CONFIG"]
    assert load_config(env=env).default_model == "echo/xdg"
    layout["xdg"].unlink()
    assert load_config(env=env).default_model == "echo/home"
    del env["XDG_CONFIG_HOME"]
    assert load_config(env=env).default_model == "echo/home"
    assert config_path(None, env) == layout["home"]
    layout["home"].unlink()
    assert config_path(None, env) is None
    config = load_config(env=env)
    assert config.path is None
    assert config.default_model is None


def test_config_path_ignores_empty_and_relative_locations(
    tmp_path: Path, layout: dict[str, Path]
) -> None:
    env = {
        "PROVIDER_RUNTIME_CONFIG": "",
        "XDG_CONFIG_HOME": "relative/xdg",
        "HOME": str(tmp_path / "home"),
    }
    assert config_path(None, env) == layout["home"]
    assert config_path(None, {}) is None
    assert config_path(str(tmp_path / "nope.toml"), {}) == tmp_path / "nope.toml"


def test_missing_explicit_or_env_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError, match="does not exist") as info:
        load_config(missing, env={})
    assert info.value.path == str(missing)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(env={"PROVIDER_RUNTIME_CONFIG": str(missing)})


# --------------------------------------------------------------------------- defaults


def test_defaults_follow_the_official_sdks() -> None:
    config = load_config(env={})
    assert set(config.providers) == BUILTINS
    openai, anthropic, openrouter, echo = (
        config.providers[p] for p in ("openai", "anthropic", "openrouter", "echo")
    )
    assert (openai.type, openai.base_url, openai.api_key_env) == (
        "openai",
        "https://api.openai.com/v1",
        "OPENAI_API_KEY",
    )
    assert (anthropic.type, anthropic.base_url, anthropic.api_key_env) == (
        "anthropic",
        "https://api.anthropic.com",
        "ANTHROPIC_API_KEY",
    )
    assert (openrouter.type, openrouter.base_url, openrouter.api_key_env) == (
        "openrouter",
        "https://openrouter.ai/api/v1",
        "OPENROUTER_API_KEY",
    )
    google = config.providers["google"]
    assert (google.type, google.base_url, google.api_key_env) == (
        "google",
        "https://generativelanguage.googleapis.com/v1beta",
        "GEMINI_API_KEY",
    )
    assert (echo.type, echo.base_url, echo.api_key_env) == ("echo", None, None)
    bedrock = config.providers["bedrock"]  # no region in the environment: no base URL yet
    assert (bedrock.type, bedrock.base_url, bedrock.region, bedrock.api_key_env) == (
        "bedrock",
        None,
        None,
        "AWS_BEARER_TOKEN_BEDROCK",
    )
    assert (openai.timeout, openai.connect_timeout, openai.max_retries, openai.retry_deadline) == (
        600.0,
        10.0,
        2,
        600.0,
    )
    assert openai.verify_tls is True
    assert anthropic.anthropic_version == "2023-06-01"
    assert openai.quirks == OpenAICompatQuirks()
    assert (config.pricing, config.models, config.warnings) == ([], [], [])


def test_base_urls_from_the_environment() -> None:
    env = {
        "OPENAI_BASE_URL": "https://proxy.example/openai/v1/",
        "ANTHROPIC_BASE_URL": "https://proxy.example/anthropic",
        "OPENROUTER_BASE_URL": "",  # empty means unset
    }
    config = load_config(env=env)
    assert config.providers["openai"].base_url == "https://proxy.example/openai/v1"
    assert config.providers["anthropic"].base_url == "https://proxy.example/anthropic"
    assert config.providers["openrouter"].base_url == "https://openrouter.ai/api/v1"


def test_file_base_url_beats_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[providers.openai]\nbase_url = "http://localhost:9/v1"\n')
    config = load_config(path, env={"OPENAI_BASE_URL": "https://env.example/v1"})
    assert config.providers["openai"].base_url == "http://localhost:9/v1"


def test_bad_base_url_from_the_environment_names_it() -> None:
    with pytest.raises(ConfigError, match=r"OPENAI_BASE_URL") as info:
        load_config(env={"OPENAI_BASE_URL": "api.openai.com/v1"}, strict=True)
    assert info.value.key == "providers.openai.base_url"


def test_a_table_merges_over_the_built_in_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        """
[providers.openai]
timeout = 120
max_retries = 5
headers = { "OpenAI-Organization" = "org-1" }

[providers.anthropic]
api_key_env = "MY_ANTHROPIC_KEY"
""",
    )
    config = load_config(path, env={})
    openai = config.providers["openai"]
    assert (openai.timeout, openai.max_retries, openai.headers) == (
        120.0,
        5,
        {"OpenAI-Organization": "org-1"},
    )
    assert (openai.base_url, openai.api_key_env) == ("https://api.openai.com/v1", "OPENAI_API_KEY")
    anthropic = config.providers["anthropic"]
    assert (anthropic.api_key_env, anthropic.base_url) == (
        "MY_ANTHROPIC_KEY",
        "https://api.anthropic.com",
    )
    assert retry_policy(openai) == RetryPolicy(max_retries=5, deadline=600.0)


# --------------------------------------------------------------------------- the full example


FULL = """
default_model = "echo/echo-1"
[providers.openai]
api_key_env = "OPENAI_API_KEY"
timeout = 120
[providers.work-vllm]
type = "openai_compatible"
base_url = "http://127.0.0.1:8000/v1"
api_key_command = ["pass", "show", "vllm"]
[providers.work-vllm.quirks]
max_tokens_field = "max_tokens"
[[pricing]]
provider = "openai"
model = "gpt-4o*"
pricing = { input = "2.5", output = "10" }
[[models]]
provider = "work-vllm"
id = "qwen3-32b"
context_window = 32768
"""


def test_full_example(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "c.toml", FULL), env={})
    assert set(config.providers) == BUILTINS | {"work-vllm"}
    vllm = config.providers["work-vllm"]
    assert vllm == ProviderConfig(
        type="openai_compatible",
        base_url="http://127.0.0.1:8000/v1",
        api_key_command=["pass", "show", "vllm"],
        quirks=OpenAICompatQuirks(max_tokens_field="max_tokens"),
    )
    assert config.pricing == [
        PriceRule(
            provider="openai",
            model="gpt-4o*",
            pricing=ModelPricing(input=Decimal("2.5"), output=Decimal("10")),
        )
    ]
    [model] = config.models
    assert (model.provider, model.id, model.context_window, model.source) == (
        "work-vllm",
        "qwen3-32b",
        32768,
        "config",
    )
    assert config.default_model == "echo/echo-1"
    assert config.warnings == []


def test_models_entries_set_the_reasoning_controls(tmp_path: Path) -> None:
    text = (
        '[[models]]\nprovider = "openai"\nid = "gpt-next"\n'
        'capabilities = { reasoning_efforts = ["low", "high", "max"], '
        'reasoning_modes = ["effort"], reasoning_off = false }\n'
    )
    [model] = load_config(write(tmp_path / "c.toml", text), env={}).models
    caps = model.capabilities
    assert caps.reasoning_efforts == ["low", "high", "max"]
    assert (caps.reasoning_modes, caps.reasoning_off, caps.reasoning) == (["effort"], False, None)


@pytest.mark.parametrize(
    ("capabilities", "problem"),
    [
        ('{ reasoning_efforts = ["high", "low"] }', "weakest first"),
        ('{ reasoning_efforts = ["none", "low"] }', "set `reasoning_off = true`"),
        ('{ reasoning_efforts = ["hgih"] }', "did you mean `high`?"),
        ('{ reasoning_modes = ["thinking"] }', "valid values"),
    ],
)
def test_bad_reasoning_controls_name_the_fix(
    capabilities: str, problem: str, tmp_path: Path
) -> None:
    text = f'[[models]]\nprovider = "openai"\nid = "m"\ncapabilities = {capabilities}\n'
    err = fails(text, tmp_path)
    assert err.key is not None and err.key.startswith("models[0].capabilities")
    assert problem in str(err)


def test_custom_provider_needs_type_and_base_url(tmp_path: Path) -> None:
    err = fails('[providers.mine]\nbase_url = "http://localhost:1/v1"\n', tmp_path)
    assert err.key == "providers.mine.type"
    assert "needs `type` and `base_url`" in str(err)
    err = fails('[providers.mine]\ntype = "openai_compatible"\n', tmp_path)
    assert err.key == "providers.mine.base_url"
    # an echo-type provider has nothing to call, so it needs no URL
    path = write(tmp_path / "ok.toml", '[providers.echo2]\ntype = "echo"\n')
    assert load_config(path, env={}).providers["echo2"].type == "echo"


def test_built_in_type_cannot_change(tmp_path: Path) -> None:
    err = fails('[providers.openai]\ntype = "anthropic"\n', tmp_path)
    assert err.key == "providers.openai.type"


@pytest.mark.parametrize("pid", ["OpenAI", "my provider", "-x", "a.b"])
def test_provider_ids_are_checked(pid: str, tmp_path: Path) -> None:
    err = fails(f'[providers."{pid}"]\ntype = "echo"\n', tmp_path)
    assert err.key == f"providers.{pid}"
    assert "provider id" in str(err)


def test_provider_id_with_a_slash_is_rejected(tmp_path: Path) -> None:
    err = fails('[providers."a/b"]\ntype = "echo"\n', tmp_path)
    assert "`/`" in str(err)


# --------------------------------------------------------------------------- errors


def test_bad_toml_gives_line_and_column(tmp_path: Path) -> None:
    err = fails('default_model = "echo/x"\n[providers.openai]\ntimeout = = 3\n', tmp_path)
    assert "invalid TOML" in str(err)
    assert "line 3" in str(err)
    assert "column" in str(err)


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (
            '[providers.openai]\ntimeout = "slow"\n',
            "providers.openai.timeout",
            "Expected `float`, got `str`",
        ),
        ("[providers.openai]\ntimeout = -1\n", "providers.openai.timeout", "> 0"),
        (
            "[providers.openai]\nmax_retries = 1.5\n",
            "providers.openai.max_retries",
            "Expected `int`",
        ),
        ("[providers.openai]\ntimout = 3\n", "providers.openai.timout", "unknown key"),
        (
            '[providers.w]\ntype = "openai_compatible"\nbase_url = "http://h/v1"\n'
            '[providers.w.quirks]\nmax_tokens_field = "tokens"\n',
            "providers.w.quirks.max_tokens_field",
            "'tokens'",
        ),
        (
            '[providers.w]\ntype = "openai_compatible"\nbase_url = "http://h/v1"\n'
            "[providers.w.quirks]\nsupports_tools = 1\n",
            "providers.w.quirks.supports_tools",
            "Expected `bool`",
        ),
        ('[providers.w]\ntype = "gemini"\nbase_url = "http://h"\n', "providers.w.type", "'gemini'"),
        (
            '[providers.openai]\napi_key_command = "pass show x"\n',
            "providers.openai.api_key_command",
            "got `str`",
        ),
        (
            "[providers.openai]\napi_key_command = []\n",
            "providers.openai.api_key_command",
            "length >= 1",
        ),
        (
            "[providers.openai]\nheaders = { X-Team = 7 }\n",
            "providers.openai.headers.X-Team",
            "a string",
        ),
        ('[providers.openai]\nbase_url = "ftp://x"\n', "providers.openai.base_url", "http://"),
        ('providers = "none"\n', "providers", "expected a table"),
        ("verbose = true\n", "verbose", "unknown key"),
        ("default_model = 3\n", "default_model", "a string"),
        ('default_model = "nope/model"\n', "default_model", "unknown provider `nope`"),
        (
            '[[pricing]]\nprovider = "openai"\nmodel = "m"\npricing = { input = "cheap" }\n',
            "pricing[0].pricing.input",
            "decimal",
        ),
        (
            '[[pricing]]\nprovider = "nope"\nmodel = "m"\npricing = {}\n',
            "pricing[0].provider",
            "unknown provider `nope`",
        ),
        (
            '[[pricing]]\nprovider = "openai"\npricing = {}\n',
            "pricing[0].model",
            "missing required key",
        ),
        (
            '[[models]]\nprovider = "openai"\nid = "m"\ncontext_window = "big"\n',
            "models[0].context_window",
            "Expected `int",
        ),
        (
            '[[models]]\nprovider = "zzz"\nid = "m"\n',
            "models[0].provider",
            "unknown provider `zzz`",
        ),
        (
            '[[models]]\nprovider = "openai"\nid = "m"\nsource = "static"\n',
            "models[0].source",
            "config",
        ),
        ('models = { provider = "openai" }\n', "models", "an array of tables"),
        # prices are never negative (a negative price gave a negative cost)
        (
            '[[pricing]]\nprovider = "openai"\nmodel = "m"\npricing = { output = "-0.5" }\n',
            "pricing[0].pricing.output",
            ">= 0",
        ),
        (
            '[[pricing]]\nprovider = "openai"\nmodel = "m"\n'
            "pricing = { tiers = [{ above_input_tokens = 1, input = -1 }] }\n",
            "pricing[0].pricing.tiers[0].input",
            ">= 0",
        ),
        (
            '[[models]]\nprovider = "openai"\nid = "m"\npricing = { cache_read = -2 }\n',
            "models[0].pricing.cache_read",
            ">= 0",
        ),
        # unknown keys and enum values name the fix
        ("defualt_model = 1\n", "defualt_model", "did you mean `default_model`?"),
        (
            '[providers.openai]\napi_key_evn = "K"\n',
            "providers.openai.api_key_evn",
            "did you mean `api_key_env`? (valid keys, closest first: `api_key_env`, ",
        ),
        (
            '[providers.w]\ntype = "openai_compatible"\nbase_url = "http://h/v1"\n'
            "[providers.w.quirks]\nsuports_tools = false\n",
            "providers.w.quirks.suports_tools",
            "did you mean `supports_tools`?",
        ),
        (
            '[providers.w]\ntype = "openai-compatible"\nbase_url = "http://h"\n',
            "providers.w.type",
            "did you mean `openai_compatible`?",
        ),
    ],
)
def test_errors_name_file_key_and_problem(
    text: str, key: str, problem: str, tmp_path: Path
) -> None:
    err = fails(text, tmp_path)
    assert err.key == key
    assert f"key `{key}`" in str(err)
    assert problem in str(err)


def test_prices_accept_numbers_and_strings(tmp_path: Path) -> None:
    text = (
        '[[pricing]]\nprovider = "openai"\nmodel = "gpt-4o"\n'
        'pricing = { input = 2.5, output = "10.00" }\n'
    )
    [rule] = load_config(write(tmp_path / "c.toml", text), env={}).pricing
    assert (rule.pricing.input, rule.pricing.output) == (Decimal("2.5"), Decimal("10.00"))


# --------------------------------------------------------------------------- secrets


LITERAL = '[providers.openai]\napi_key = "sk-literal-SECRET"\n'


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_literal_key_in_a_readable_file_warns(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "c.toml", LITERAL, mode=0o644), env={})
    [warning] = config.warnings
    assert warning.code == "config.insecure_permissions"
    assert warning.details["mode"] == "0644"
    assert warning.details["providers"] == ["openai"]
    assert "SECRET" not in warning.message
    assert config.providers["openai"].verify_tls is True
    assert load_config(write(tmp_path / "c.toml", LITERAL, mode=0o600), env={}).warnings == []
    no_key = write(tmp_path / "d.toml", "[providers.openai]\ntimeout = 5\n", mode=0o644)
    assert load_config(no_key, env={}).warnings == []


def test_repr_masks_the_literal_key_and_secret_headers(tmp_path: Path) -> None:
    text = LITERAL + 'headers = { "X-Api-Key" = "hdr-SECRET", "X-Team" = "blue" }\n'
    config = load_config(write(tmp_path / "c.toml", text), env={})
    assert config.providers["openai"].api_key == "sk-literal-SECRET"
    for shown in (repr(config), str(config), repr(config.providers["openai"])):
        assert "SECRET" not in shown
        assert "blue" in shown


def test_describe_config_masks_and_names_sources(tmp_path: Path) -> None:
    text = (
        LITERAL
        + 'headers = { "X-Proxy-Token" = "hdr-SECRET", "X-Team" = "blue" }\n'
        + '[providers.w]\ntype = "openai_compatible"\nbase_url = "http://h/v1"\n'
        + 'api_key_command = ["sh", "-c", "echo sk-HOOKSECRET"]\n'
        + '[providers.local]\ntype = "openai_compatible"\nbase_url = "http://localhost:1/v1"\n'
    )
    config = load_config(write(tmp_path / "c.toml", text), env={})
    described = describe_config(config, env={"ANTHROPIC_API_KEY": "sk-ant-ENVSECRET"})
    assert "SECRET" not in msgspec.json.encode(described).decode()
    providers = described["providers"]
    assert list(providers) == sorted(providers)
    assert providers["openai"]["credential"] == "config file"
    assert providers["openai"]["api_key"] == "********"
    assert providers["openai"]["headers"] == {"X-Proxy-Token": "********", "X-Team": "blue"}
    assert providers["anthropic"]["credential"] == "env ANTHROPIC_API_KEY (set)"
    assert providers["openrouter"]["credential"] == "env OPENROUTER_API_KEY (not set)"
    # a key command's arguments can hold the key itself: only the program and their count show
    assert providers["w"]["credential"] == 'command "sh" + 2 arguments (not shown)'
    assert providers["w"]["api_key_command"] == '"sh" + 2 arguments (not shown)'
    assert "HOOKSECRET" not in repr(config.providers["w"])
    assert providers["local"]["credential"] == "none"
    assert providers["echo"]["credential"] == "none"
    assert providers["openai"]["credential_required"] is True
    assert providers["local"]["credential_required"] is False
    assert described["path"] == str(tmp_path / "c.toml")


def test_credential_source_order() -> None:
    both = ProviderConfig(type="openai", api_key="k", api_key_command=["x"], api_key_env="E")
    assert credential_source("openai", both, {}) == 'command "x"'
    assert (
        credential_source("openai", ProviderConfig(type="openai", api_key="k"), {}) == "config file"
    )
    # a built-in id falls back to the SDK's variable even when built by hand
    assert credential_source("openai", ProviderConfig(type="openai"), {"OPENAI_API_KEY": "v"}) == (
        "env OPENAI_API_KEY (set)"
    )


def test_runtime_config_decodes_from_json() -> None:
    raw = b'{"providers": {"echo": {"type": "echo"}}, "default_model": "echo/echo-1"}'
    config = msgspec.json.decode(raw, type=RuntimeConfig)
    assert config.providers["echo"] == ProviderConfig(type="echo")
    with pytest.raises(msgspec.ValidationError, match="unknown field `tiemout`"):
        msgspec.json.decode(b'{"type": "echo", "tiemout": 1}', type=ProviderConfig)


def test_secrets_in_a_base_url_are_never_shown(tmp_path: Path) -> None:
    from provider_runtime.config import describe_providers

    path = write(
        tmp_path / "c.toml",
        '[providers.proxy]\ntype = "openai_compatible"\n'
        'base_url = "https://user:pw-SECRET-1@llm.example:8443/v1?key=Q-SECRET-2"\n',
    )
    config = load_config(path, env={})
    shown = [repr(config), str(describe_config(config, env={})), str(describe_providers(config))]
    for text in shown:
        assert "SECRET" not in text
        assert "https://llm.example:8443/v1" in text


@pytest.mark.parametrize(
    ("table", "header"),
    [
        ("anthropic", "X-Api-Key"),
        ("openai", "Authorization"),
        ("openrouter", "authorization"),
        ("google", "X-Goog-Api-Key"),
    ],
)
def test_a_header_that_would_replace_the_credential_is_refused_at_load(
    tmp_path: Path, table: str, header: str
) -> None:
    path = write(tmp_path / "c.toml", f'[providers.{table}]\nheaders = {{ "{header}" = "v" }}\n')
    with pytest.raises(ConfigError) as info:
        load_config(path, env={}, strict=True)
    assert info.value.path == str(path) and info.value.key == f"providers.{table}.headers"
    assert header in str(info.value)
