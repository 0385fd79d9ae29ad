"""The shared TOML configuration: one file for every tool that spawns the daemon (protocol.md §7).

``model`` holds the types, built-in defaults and masked descriptions; ``load`` finds, reads and
validates the file.
"""

from .load import config_path, fallback_config, load_config, search_paths
from .model import (
    BUILTIN_PROVIDERS,
    CONFIG_ENV_VAR,
    BuiltinProvider,
    ConfigProblem,
    OpenAICompatQuirks,
    ProviderConfig,
    RuntimeConfig,
    credential_source,
    describe_command,
    describe_config,
    describe_providers,
    key_env_var,
    key_env_vars,
    needs_credential,
)

__all__ = [
    "BUILTIN_PROVIDERS",
    "CONFIG_ENV_VAR",
    "BuiltinProvider",
    "ConfigProblem",
    "OpenAICompatQuirks",
    "ProviderConfig",
    "RuntimeConfig",
    "config_path",
    "credential_source",
    "describe_command",
    "describe_config",
    "describe_providers",
    "fallback_config",
    "key_env_var",
    "key_env_vars",
    "load_config",
    "needs_credential",
    "search_paths",
]
