"""The config's types, the built-in providers' defaults, and how a config is shown (masked)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec

from ..core.errors import ConfigError
from ..core.types import ModelInfo, ProviderRuntimeWarning
from ..pricing.rules import PriceRule
from ..providers.openai.quirks import OpenAICompatQuirks
from ..redact import MASK, is_secret_header, redact_url
from .presets import COMPATIBLE_PRESETS, NATIVE_PROVIDERS, BuiltinProvider

__all__ = [
    "BUILTIN_PROVIDERS",
    "CONFIG_ENV_VAR",
    "REGION_ENV_VARS",
    "BuiltinProvider",
    "ConfigProblem",
    "OpenAICompatQuirks",
    "ProviderConfig",
    "RuntimeConfig",
    "credential_source",
    "describe_command",
    "describe_config",
    "describe_providers",
    "key_env_var",
    "key_env_vars",
    "needs_credential",
]

CONFIG_ENV_VAR = "PROVIDER_RUNTIME_CONFIG"
_KEYED_TYPES = frozenset({"openai", "anthropic", "openrouter", "google", "azure"})
_API_TYPES = frozenset({"openai", "openai_compatible", "azure"})  # the types taking `api`

_Positive = Annotated[float, msgspec.Meta(gt=0)]
_NonNegative = Annotated[float, msgspec.Meta(ge=0)]


BUILTIN_PROVIDERS: Mapping[str, BuiltinProvider] = {**NATIVE_PROVIDERS, **COMPATIBLE_PRESETS}
# Where a Bedrock provider's region comes from when the config names none, in this order.
REGION_ENV_VARS = ("AWS_REGION", "AWS_DEFAULT_REGION")


class ProviderConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One provider's settings. ``repr`` masks ``api_key``; ``describe_config`` masks the rest."""

    type: Literal[
        "openai",
        "anthropic",
        "openrouter",
        "google",
        "openai_compatible",
        "bedrock",
        "azure",
        "echo",
    ]
    base_url: str | None = None
    api_key_env: str | None = None
    api_key_command: Annotated[list[str], msgspec.Meta(min_length=1)] | None = None
    api_key_command_timeout: _Positive = 10.0
    api_key_cache_seconds: _NonNegative = 300.0
    api_key: str | None = None  # literal key in the file (discouraged)
    timeout: _Positive = 600.0  # per-attempt read timeout, seconds
    connect_timeout: _Positive = 10.0
    max_retries: Annotated[int, msgspec.Meta(ge=0)] = 2
    retry_deadline: _Positive = 600.0  # overall seconds across retries
    headers: dict[str, str] = {}
    verify_tls: bool = True
    http_referer: str | None = None  # OpenRouter attribution
    app_title: str | None = None  # OpenRouter X-Title
    anthropic_version: str = "2023-06-01"
    region: str | None = None  # Bedrock: the AWS region (base URL and SigV4)
    aws_profile: str | None = None  # Bedrock: the AWS profile whose credentials sign (SigV4)
    quirks: OpenAICompatQuirks = OpenAICompatQuirks()
    # OpenAI's API per model: Chat Completions, Responses, or `auto` (Responses for reasoning
    # models per the catalog). None: `auto` for type openai, `chat` for a compatible server.
    api: Literal["chat", "responses", "auto"] | None = None
    # Azure OpenAI: how the credential travels (`api-key` header, or an Entra ID token as
    # `Authorization: Bearer`), and an API version selecting the older deployment paths.
    auth: Literal["api-key", "bearer"] | None = None
    api_version: str | None = None

    def chosen_api(self) -> str | None:
        """The effective ``api`` setting of an OpenAI-style provider (None for other types)."""
        if self.type not in _API_TYPES:
            return None
        return self.api or ("auto" if self.type == "openai" else "chat")

    def auth_header(self) -> str | None:
        """The HTTP header (lowercase) the credential travels in; None for echo."""
        if self.type == "anthropic":
            return "x-api-key"
        if self.type == "google":
            return "x-goog-api-key"
        if self.type == "azure" and self.auth != "bearer":
            return "api-key"
        return None if self.type == "echo" else "authorization"

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.__rich_repr__())
        return f"ProviderConfig({fields})"

    def __rich_repr__(self) -> Any:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name == "api_key" and value is not None:
                value = MASK
            elif name == "api_key_command" and value is not None:
                value = describe_command(value)
            elif name == "base_url" and value is not None:
                value = redact_url(value)
            elif name == "headers":
                value = _mask_headers(value)
            yield name, value


Scope = Literal["file", "provider", "pricing", "models", "setting"]


class ConfigProblem(msgspec.Struct, frozen=True, kw_only=True):
    """One part of the config that could not be used, and what it puts out of service.

    ``scope``: ``file`` (unreadable or not TOML: every provider but the built-in echo),
    ``provider`` (that provider), ``pricing`` / ``models`` (calls to ``provider``/``model``,
    None matching any; ``model`` may be a glob), ``setting`` (nothing: the setting is ignored).
    """

    scope: Scope
    problem: str  # what is wrong and how to fix it, without the file and key
    path: str | None = None
    key: str | None = None
    provider: str | None = None
    model: str | None = None

    def error(self) -> ConfigError:
        """The error a call that needs this part gets."""
        return ConfigError(f"{self.problem} ({self.disabled()})", path=self.path, key=self.key)

    def disabled(self) -> str:
        what = {
            "file": "every provider but the built-in `echo` is out of service",
            "provider": f"provider `{self.provider}` is out of service",
            "pricing": "calls this price rule covers are refused",
            "models": "calls to this model are refused",
            "setting": "the setting is ignored",
        }[self.scope]
        return f"{what} until this is fixed"

    def warning(self) -> ProviderRuntimeWarning:
        return ProviderRuntimeWarning(
            code="config.invalid",
            message=str(self.error()),
            details={
                "path": self.path,
                "key": self.key,
                "scope": self.scope,
                "provider": self.provider,
                "model": self.model,
            },
        )


class RuntimeConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The whole configuration; ``providers`` holds the built-in providers unless a problem
    put one out of service (``problems`` says which and why; ``warnings`` repeats them)."""

    providers: dict[str, ProviderConfig]
    pricing: list[PriceRule] = []
    models: list[ModelInfo] = []
    default_model: str | None = None
    path: str | None = None  # the file read; None when only defaults apply
    warnings: list[ProviderRuntimeWarning] = []
    problems: list[ConfigProblem] = []
    # Built-in presets left out (neither named by the file nor, for a hosted one, given a key
    # in the environment): id -> how to switch it on. Not registered; a call to one gets a
    # `config` error with this text.
    inactive: dict[str, str] = {}


# --------------------------------------------------------------------------- credentials, described


def key_env_var(provider: str, config: ProviderConfig) -> str | None:
    """The environment variable holding the provider's key (its own setting, else the SDK's)."""
    if config.api_key_env:
        return config.api_key_env
    builtin = BUILTIN_PROVIDERS.get(provider)
    if builtin is None or config.type != (builtin.type or provider):
        return None
    return builtin.key_env


def key_env_vars(provider: str, config: ProviderConfig, env: Mapping[str, str]) -> str | None:
    """The variable to read the key from: ``key_env_var``, or the built-in's fallback when
    that one is unset and is the built-in's own (not a variable the user chose)."""
    name = key_env_var(provider, config)
    builtin = BUILTIN_PROVIDERS.get(provider)
    fallback = builtin.key_env_fallback if builtin is not None else None
    own = builtin is not None and name == builtin.key_env
    if (
        name
        and fallback
        and own
        and not env.get(name, "").strip()
        and env.get(fallback, "").strip()
    ):
        return fallback
    return name


def needs_credential(config: ProviderConfig) -> bool:
    """Hosted APIs always need a key (Bedrock signs without one); a compatible server only if
    its quirks say so."""
    if config.type in _KEYED_TYPES:
        return True
    return config.type == "openai_compatible" and config.quirks.requires_api_key


def credential_source(
    provider: str, config: ProviderConfig, env: Mapping[str, str] | None = None
) -> str:
    """Where the key comes from, in the order it is looked for; never the value itself."""
    env = os.environ if env is None else env
    if config.api_key_command:
        return f"command {describe_command(config.api_key_command)}"
    if config.api_key:
        return "config file"
    name = key_env_vars(provider, config, env)
    if config.type == "bedrock" and not (name and env.get(name)):
        profile = f" (profile {config.aws_profile})" if config.aws_profile else ""
        unset = f"env {name} not set, so " if name else ""
        return f"{unset}AWS credential chain{profile}, SigV4"
    if name:
        return f"env {name} ({'set' if env.get(name) else 'not set'})"
    return "none"


def describe_command(argv: list[str]) -> str:
    """The program and how many arguments it gets: arguments may hold secrets (``sh -c ...``)."""
    count = len(argv) - 1
    hidden = f" + {count} argument{'s' if count != 1 else ''} (not shown)" if count else ""
    return f"{json.dumps(argv[0])}{hidden}"


def describe_config(config: RuntimeConfig, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A JSON-ready view of the config with every secret masked and each credential's source."""
    providers: dict[str, Any] = {}
    for pid in sorted(config.providers):
        pc = config.providers[pid]
        entry = msgspec.to_builtins(pc)
        entry["api_key"] = MASK if pc.api_key else None
        if pc.api_key_command:
            entry["api_key_command"] = describe_command(pc.api_key_command)
        entry["base_url"] = redact_url(pc.base_url) if pc.base_url else None
        entry["headers"] = _mask_headers(pc.headers)
        entry["credential"] = credential_source(pid, pc, env)
        entry["credential_required"] = needs_credential(pc)
        providers[pid] = entry
    return {
        "path": config.path,
        "default_model": config.default_model,
        "providers": providers,
        "pricing": msgspec.to_builtins(config.pricing),
        "models": msgspec.to_builtins(config.models),
        "warnings": msgspec.to_builtins(config.warnings),
        "inactive": dict(sorted(config.inactive.items())),  # presets that are off, and how
    }


def _mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: MASK if is_secret_header(name) else value for name, value in headers.items()}


def describe_providers(
    config: RuntimeConfig, env: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Each provider's id, type, base URL (redacted) and credential source, never its value."""
    return [
        {
            "id": pid,
            "type": pc.type,
            "base_url": redact_url(pc.base_url) if pc.base_url else None,
            "credential": credential_source(pid, pc, env),
            **({"api": pc.chosen_api()} if pc.chosen_api() else {}),
        }
        for pid, pc in sorted(config.providers.items())
    ]
