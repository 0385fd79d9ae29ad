"""Finding, reading and validating the config file: errors name the file, the key, the problem.

One file serves every tool that spawns the daemon; ``protocol.md`` §7 documents its format.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from ..core.errors import ConfigError
from ..core.types import ModelInfo, ProviderRuntimeWarning, parse_model_ref
from ..pricing.rules import PriceRule
from .model import (
    BUILTIN_PROVIDERS,
    CONFIG_ENV_VAR,
    ProviderConfig,
    RuntimeConfig,
)

__all__ = ["config_path", "load_config"]

_PROVIDER_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TOP_LEVEL_KEYS = frozenset({"default_model", "providers", "pricing", "models"})


# --------------------------------------------------------------------------- locating the file


def config_path(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Path | None:
    """The file to read: ``explicit`` > ``$PROVIDER_RUNTIME_CONFIG`` > XDG > ``~/.config``.

    The first two are returned whether or not they exist (``load_config`` then fails); the
    XDG and home locations only when the file exists. None: no file, defaults apply.
    """
    env = os.environ if env is None else env
    chosen = explicit or env.get(CONFIG_ENV_VAR)
    if chosen:
        return Path(chosen).expanduser()
    candidates: list[Path] = []
    xdg = env.get("XDG_CONFIG_HOME")
    if xdg and os.path.isabs(xdg):
        candidates.append(Path(xdg))
    home = env.get("HOME") or (str(Path.home()) if env is os.environ else None)
    if home:
        candidates.append(Path(home) / ".config")
    for base in candidates:
        path = base / "provider-runtime" / "config.toml"
        if path.is_file():
            return path
    return None


def load_config(
    path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
) -> RuntimeConfig:
    """Find, read and validate the config; raise ``ConfigError`` naming file, key and problem."""
    env = os.environ if env is None else env
    found = config_path(os.fspath(path) if path is not None else None, env)
    if found is None:
        return _build({}, None, env)
    file = str(found)
    try:
        text = found.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError("the config file does not exist", path=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config file: {exc}", path=file) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=file) from None
    config = _build(doc, file, env)
    warnings = _permission_warnings(found, doc)
    return msgspec.structs.replace(config, warnings=warnings) if warnings else config


# --------------------------------------------------------------------------- validation


def _build(doc: dict[str, Any], file: str | None, env: Mapping[str, str]) -> RuntimeConfig:
    unknown = sorted(set(doc) - _TOP_LEVEL_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_TOP_LEVEL_KEYS))
        raise ConfigError(f"unknown key (expected one of {allowed})", path=file, key=unknown[0])
    tables = _expect(doc.get("providers", {}), dict, "a table", file, "providers")
    for pid in tables:
        if not _PROVIDER_ID.fullmatch(pid):
            raise ConfigError(
                "a provider id is lowercase letters, digits, `_` and `-`, starting with a "
                "letter or digit (so never a `/`)",
                path=file,
                key=f"providers.{pid}",
            )
    providers = {
        pid: _provider(pid, tables.get(pid), file, env)
        for pid in sorted({*BUILTIN_PROVIDERS, *tables})
    }
    rules = _list_of(doc, "pricing", PriceRule, file)
    for i, rule in enumerate(rules):
        _known_provider(rule.provider, providers, file, f"pricing[{i}].provider")
    models = _list_of(doc, "models", ModelInfo, file, defaults={"source": "config"})
    for i, model in enumerate(models):
        _known_provider(model.provider, providers, file, f"models[{i}].provider")
        if model.source != "config":
            raise ConfigError(
                "must be `config` (or left out)", path=file, key=f"models[{i}].source"
            )
    default_model = doc.get("default_model")
    if default_model is not None:
        _expect(default_model, str, "a string", file, "default_model")
        ref = parse_model_ref(default_model)
        if not ref.id:
            raise ConfigError("must not be empty", path=file, key="default_model")
        if ref.provider is not None:
            _known_provider(ref.provider, providers, file, "default_model")
    return RuntimeConfig(
        providers=providers, pricing=rules, models=models, default_model=default_model, path=file
    )


def _provider(pid: str, table: Any, file: str | None, env: Mapping[str, str]) -> ProviderConfig:
    key = f"providers.{pid}"
    raw: dict[str, Any] = dict(
        _expect(table if table is not None else {}, dict, "a table", file, key)
    )
    builtin = BUILTIN_PROVIDERS.get(pid)
    base_url_from = "the config file"
    if builtin is not None:
        kind = builtin.type or pid
        if raw.get("type", kind) != kind:
            raise ConfigError(
                f"the built-in provider `{pid}` has type `{kind}`", path=file, key=f"{key}.type"
            )
        raw["type"] = kind
        if builtin.quirks is not None:  # a preset: the user's quirks go over its own
            given = raw.get("quirks", {})
            preset = msgspec.to_builtins(builtin.quirks)
            raw["quirks"] = {**preset, **given} if isinstance(given, dict) else given
        raw.setdefault("api_key_env", builtin.key_env)
        if "base_url" not in raw and builtin.base_url is not None:
            from_env = env.get(builtin.base_url_env or "")
            raw["base_url"] = from_env or builtin.base_url
            base_url_from = f"${builtin.base_url_env}" if from_env else "the default"
    elif "type" not in raw:
        raise ConfigError(
            "a provider that is not built in needs `type` and `base_url`",
            path=file,
            key=f"{key}.type",
        )
    for name, value in _expect(
        raw.get("headers", {}), dict, "a table", file, f"{key}.headers"
    ).items():
        _expect(value, str, "a string", file, f"{key}.headers.{name}")
    config = _convert(raw, ProviderConfig, file, key)
    auth = _AUTH_HEADERS.get(config.type)
    for name in config.headers:
        if name.lower() == auth:
            raise ConfigError(
                f"may not set `{name}`: that header carries the credential; "
                "configure the key with api_key_env, api_key_command or api_key instead",
                path=file,
                key=f"{key}.headers",
            )
    if config.type != "echo":
        if not config.base_url:
            raise ConfigError(
                "a provider that is not built in needs `type` and `base_url`",
                path=file,
                key=f"{key}.base_url",
            )
        if not config.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"must be an http:// or https:// URL (from {base_url_from})",
                path=file,
                key=f"{key}.base_url",
            )
        config = msgspec.structs.replace(config, base_url=config.base_url.rstrip("/"))
    return config


_T = TypeVar("_T")

# The header each provider type carries its credential in (providers/http.py Endpoint).
_AUTH_HEADERS = {
    "openai": "authorization",
    "openai_compatible": "authorization",
    "openrouter": "authorization",
    "anthropic": "x-api-key",
}


def _list_of(
    doc: dict[str, Any],
    name: str,
    item_type: type[_T],
    file: str | None,
    defaults: dict[str, Any] | None = None,
) -> list[_T]:
    items = _expect(doc.get(name, []), list, "an array of tables", file, name)
    out = []
    for i, item in enumerate(items):
        table = _expect(item, dict, "a table", file, f"{name}[{i}]")
        out.append(_convert({**(defaults or {}), **table}, item_type, file, f"{name}[{i}]"))
    return out


def _expect(value: Any, kind: type[_T], what: str, file: str | None, key: str) -> _T:
    if not isinstance(value, kind):
        raise ConfigError(f"expected {what}, got {_toml_type(value)}", path=file, key=key)
    return value


def _toml_type(value: Any) -> str:
    names = {dict: "a table", list: "an array", str: "a string", bool: "a boolean"}
    return names.get(type(value), f"a {type(value).__name__}")


_AT = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<where>[^`]*)`)?$", re.DOTALL)
_FIELD = re.compile(r"Object (?:contains unknown|missing required) field `(?P<field>[^`]*)`")


def _convert(raw: Any, kind: type[_T], file: str | None, prefix: str) -> _T:
    """``msgspec.convert`` with its ``$.a.b`` error paths turned into dotted config keys."""
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        problem, key = _explain(str(exc), prefix)
        raise ConfigError(problem, path=file, key=key) from None


def _explain(message: str, prefix: str) -> tuple[str, str]:
    match = _AT.match(message)
    problem = match["problem"] if match else message
    key = prefix + ((match["where"] or "") if match else "")
    field = _FIELD.match(problem)
    if field:
        key = f"{key}.{field['field']}"
        problem = "unknown key" if "unknown" in problem else "missing required key"
    return problem.replace("`object`", "`table`"), key


def _known_provider(
    pid: str, providers: Mapping[str, ProviderConfig], file: str | None, key: str
) -> None:
    if pid not in providers:
        raise ConfigError(
            f"unknown provider `{pid}` (configured: {', '.join(sorted(providers))})",
            path=file,
            key=key,
        )


def _permission_warnings(path: Path, doc: dict[str, Any]) -> list[ProviderRuntimeWarning]:
    tables = doc.get("providers", {})
    literal = sorted(pid for pid, t in tables.items() if isinstance(t, dict) and "api_key" in t)
    if not literal:
        return []
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o077:
        return []
    return [
        ProviderRuntimeWarning(
            code="config.insecure_permissions",
            message=(
                f"{path} holds a literal api_key and is readable by others (mode {mode:04o}); "
                "run `chmod 600` on it or use api_key_env / api_key_command"
            ),
            details={"path": str(path), "mode": f"{mode:04o}", "providers": literal},
        )
    ]
