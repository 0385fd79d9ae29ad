"""Finding, reading and validating the config file: errors name the file, the key and the fix.

A problem inside one provider's table, one ``[[pricing]]`` or ``[[models]]`` entry puts only
that entry out of service (``RuntimeConfig.problems``); a file that cannot be read as TOML
leaves only the built-in ``echo`` provider (``fallback_config``). ``protocol.md`` §7.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from ..core.errors import ConfigError
from ..core.types import ModelInfo, ProviderRuntimeWarning, parse_model_ref
from ..pricing.rules import PriceRule
from .explain import check_prices, convert, expect, unknown_key
from .model import (
    BUILTIN_PROVIDERS,
    CONFIG_ENV_VAR,
    REGION_ENV_VARS,
    ConfigProblem,
    ProviderConfig,
    RuntimeConfig,
    Scope,
)

__all__ = [
    "config_path",
    "fallback_config",
    "inactive_preset",
    "load_config",
    "search_paths",
]

_PROVIDER_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TOP_LEVEL_KEYS = ("default_model", "providers", "pricing", "models")
_T = TypeVar("_T")


# --------------------------------------------------------------------------- locating the file


def search_paths(env: Mapping[str, str] | None = None) -> list[str]:
    """Where a config is looked for, in order, as the user would write them (for help texts)."""
    env = os.environ if env is None else env
    paths = ["--config PATH", f"${CONFIG_ENV_VAR}"]
    xdg = env.get("XDG_CONFIG_HOME")
    if xdg and os.path.isabs(xdg):
        paths.append(str(Path(xdg) / "provider-runtime" / "config.toml"))
    else:
        paths.append("$XDG_CONFIG_HOME/provider-runtime/config.toml")
    paths.append("~/.config/provider-runtime/config.toml")
    return paths


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
    path: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    strict: bool = False,
) -> RuntimeConfig:
    """Find, read and validate the config.

    A file that cannot be read or is not TOML raises ``ConfigError``. Problems inside it are
    listed in ``problems`` and ``warnings`` and put only their entry out of service, unless
    ``strict``: then the first one is raised.
    """
    env = os.environ if env is None else env
    explicit = os.fspath(path) if path is not None else None
    found = config_path(explicit, env)
    if found is None:
        config = _build({}, None, env)
    else:
        doc = _read(found, from_env=not explicit)
        config = _build(doc, str(found), env)
        extra = _permission_warnings(found, doc)
        if extra:
            config = msgspec.structs.replace(config, warnings=[*config.warnings, *extra])
    if strict and config.problems:
        raise config.problems[0].error()
    return config


def fallback_config(error: ConfigError) -> RuntimeConfig:
    """What serves when the file is unusable: the built-in echo provider alone; every other
    provider gets ``error``."""
    problem = ConfigProblem(scope="file", problem=error.problem, path=error.path, key=error.key)
    return RuntimeConfig(
        providers={"echo": ProviderConfig(type="echo")}, path=error.path, problems=[problem]
    )


def _read(found: Path, *, from_env: bool) -> dict[str, Any]:
    file = str(found)
    try:
        text = found.read_bytes().decode("utf-8")
    except FileNotFoundError:
        origin = f" (the path came from ${CONFIG_ENV_VAR})" if from_env else ""
        raise ConfigError(f"the config file does not exist{origin}", path=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config file: {exc}", path=file) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=file) from None


# --------------------------------------------------------------------------- validation


class _Problems:
    """The problems found so far; each keeps the entry it puts out of service."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.items: list[ConfigProblem] = []

    def add(
        self, exc: ConfigError, scope: Scope, provider: str | None = None, model: str | None = None
    ) -> None:
        self.items.append(
            ConfigProblem(
                scope=scope,
                problem=exc.problem,
                path=self.file,
                key=exc.key,
                provider=provider,
                model=model,
            )
        )


def _build(doc: dict[str, Any], file: str | None, env: Mapping[str, str]) -> RuntimeConfig:
    found = _Problems(file)
    for name in sorted(set(doc) - set(_TOP_LEVEL_KEYS)):
        found.add(unknown_key(name, list(_TOP_LEVEL_KEYS), file, name), "setting")
    providers, known = _providers(doc.get("providers", {}), file, env, found)
    inactive = {
        pid: why
        for pid in sorted(set(BUILTIN_PROVIDERS) - set(providers))
        if (why := inactive_preset(pid, env)) is not None and pid not in _named(doc)
    }
    rules = _entries(doc, "pricing", PriceRule, known, found)
    models = _entries(doc, "models", ModelInfo, known, found)
    default_model = _default_model(doc.get("default_model"), known, found)
    return RuntimeConfig(
        providers=providers,
        pricing=rules,
        models=models,
        default_model=default_model,
        path=file,
        warnings=[p.warning() for p in found.items],
        problems=found.items,
        inactive=inactive,
    )


def _named(doc: dict[str, Any]) -> set[str]:
    tables = doc.get("providers", {})
    return set(tables) if isinstance(tables, dict) else set()


def _providers(
    value: Any, file: str | None, env: Mapping[str, str], found: _Problems
) -> tuple[dict[str, ProviderConfig], set[str]]:
    """The usable providers, and every id the file names (usable or not)."""
    try:
        tables = expect(value, dict, "a table", file, "providers")
    except ConfigError as exc:
        found.add(exc, "file")
        return {"echo": ProviderConfig(type="echo")}, set(BUILTIN_PROVIDERS)
    providers: dict[str, ProviderConfig] = {}
    for pid in sorted({*BUILTIN_PROVIDERS, *tables}):
        if pid not in tables and inactive_preset(pid, env) is not None:
            continue
        try:
            providers[pid] = _provider(pid, tables.get(pid), file, env)
        except ConfigError as exc:
            found.add(exc, "provider", provider=pid)
    return providers, {*BUILTIN_PROVIDERS, *tables}


def inactive_preset(pid: str, env: Mapping[str, str]) -> str | None:
    """Why the optional built-in provider ``pid`` is off when the config does not name it, and
    how to switch it on; None when it is on (its ``switch_env`` is set) or always on."""
    builtin = BUILTIN_PROVIDERS.get(pid)
    if builtin is None or not builtin.optional:
        return None
    table = f"a `[providers.{pid}]` table to the config"
    if builtin.is_local:
        return (
            f"the built-in provider `{pid}` (a local server, {builtin.base_url}) is off: "
            f"add {table} (it may be empty) to use it"
        )
    if env.get(builtin.switch_env or ""):
        return None
    if builtin.switch_env != builtin.key_env:  # Azure: the resource must be known
        return (
            f"the built-in provider `{pid}` is off: set {builtin.switch_env} (and "
            f"{builtin.key_env}) in the environment, or add {table} with base_url"
        )
    return (
        f"the built-in provider `{pid}` is off: set {builtin.key_env} in the environment, "
        f"or add {table} (it may be empty) with api_key_env or api_key_command"
    )


def _entries(
    doc: dict[str, Any], name: str, kind: type[_T], known: Collection[str], found: _Problems
) -> list[_T]:
    """The valid entries of ``[[pricing]]`` or ``[[models]]``; each bad one is a problem."""
    scope: Scope = "pricing" if name == "pricing" else "models"
    value = doc.get(name, [])
    try:
        items = expect(value, list, "an array of tables", found.file, name)
    except ConfigError as exc:
        found.add(exc, scope, *_target(value, name))
        return []
    out = []
    for i, item in enumerate(items):
        try:
            out.append(_entry(item, kind, known, found.file, f"{name}[{i}]"))
        except ConfigError as exc:
            found.add(exc, scope, *_target(item, name))
    return out


def _entry(item: Any, kind: type[_T], known: Collection[str], file: str | None, key: str) -> _T:
    table = expect(item, dict, "a table", file, key)
    if kind is ModelInfo:
        table = {"source": "config", **table}
    entry = convert(table, kind, file, key)
    provider = getattr(entry, "provider", "")
    _known_provider(provider, known, file, f"{key}.provider")
    if isinstance(entry, ModelInfo) and entry.source != "config":
        raise ConfigError("must be `config` (or left out)", path=file, key=f"{key}.source")
    pricing = getattr(entry, "pricing", None)
    if pricing is not None:
        check_prices(pricing, file, f"{key}.pricing")
    return entry


def _target(item: Any, name: str) -> tuple[str | None, str | None]:
    """The provider and model (or glob) a bad entry was meant for, where they can be read."""
    if not isinstance(item, dict):
        return None, None
    provider = item.get("provider")
    model = item.get("model" if name == "pricing" else "id")
    return (
        provider if isinstance(provider, str) else None,
        model if isinstance(model, str) else None,
    )


def _default_model(value: Any, known: Collection[str], found: _Problems) -> str | None:
    if value is None:
        return None
    try:
        text = expect(value, str, "a string", found.file, "default_model")
        ref = parse_model_ref(text)
        if not ref.id:
            raise ConfigError("must not be empty", path=found.file, key="default_model")
    except ConfigError as exc:
        found.add(exc, "setting")
        return None
    try:
        if ref.provider is not None:
            _known_provider(ref.provider, known, found.file, "default_model")
    except ConfigError as exc:  # kept: a call to it gets this error rather than echo's answer
        found.add(exc, "models", ref.provider, ref.id)
    return text


def _provider(pid: str, table: Any, file: str | None, env: Mapping[str, str]) -> ProviderConfig:
    key = f"providers.{pid}"
    if not _PROVIDER_ID.fullmatch(pid):
        raise ConfigError(
            "a provider id is lowercase letters, digits, `_` and `-`, starting with a "
            "letter or digit (so never a `/`)",
            path=file,
            key=key,
        )
    raw: dict[str, Any] = dict(
        expect(table if table is not None else {}, dict, "a table", file, key)
    )
    base_url_from = _builtin_defaults(pid, raw, file, env)
    for name, value in expect(
        raw.get("headers", {}), dict, "a table", file, f"{key}.headers"
    ).items():
        expect(value, str, "a string", file, f"{key}.headers.{name}")
    config = convert(raw, ProviderConfig, file, key)
    _check_headers(config, file, key)
    _check_id_pattern(config.quirks.tool_call_id_pattern, file, key)
    _check_pattern(
        config.quirks.reasoning_model_pattern,
        file,
        f"{key}.quirks.reasoning_model_pattern",
        "e.g. `mistral-small` for the Mistral models that take reasoning_effort",
    )
    if config.api is not None and config.chosen_api() is None:
        raise ConfigError(
            f"`api` chooses between OpenAI's Chat Completions and Responses; a provider of type "
            f"`{config.type}` has one API: remove the setting",
            path=file,
            key=f"{key}.api",
        )
    _check_azure(config, file, key)
    if config.type == "echo":
        return config
    if config.type == "bedrock":
        config = _bedrock_region(config, env)
        if not config.base_url:
            return config  # the adapter makes it from the region, or says one is needed
    if not config.base_url and config.type == "azure":
        raise ConfigError(
            "Azure OpenAI needs the resource endpoint: set AZURE_OPENAI_ENDPOINT or `base_url` "
            "(https://{resource}.openai.azure.com)",
            path=file,
            key=f"{key}.base_url",
        )
    if not config.base_url:
        raise ConfigError(
            "a provider that is not built in needs `type` and `base_url`",
            path=file,
            key=f"{key}.base_url",
        )
    if not config.base_url.startswith(("http://", "https://")):
        raise ConfigError(
            "must start with http:// or https:// (e.g. `http://localhost:4000/v1`); "
            f"the value came from {base_url_from}",
            path=file,
            key=f"{key}.base_url",
        )
    return msgspec.structs.replace(config, base_url=config.base_url.rstrip("/"))


def _builtin_defaults(
    pid: str, raw: dict[str, Any], file: str | None, env: Mapping[str, str]
) -> str:
    """Fill a built-in provider's defaults into ``raw``; says where the base URL came from."""
    builtin = BUILTIN_PROVIDERS.get(pid)
    if builtin is None:
        if "type" not in raw:
            raise ConfigError(
                "a provider that is not built in needs `type` and `base_url`",
                path=file,
                key=f"providers.{pid}.type",
            )
        return "the config file"
    kind = builtin.type or pid
    if raw.get("type", kind) != kind:
        raise ConfigError(
            f"the built-in provider `{pid}` has type `{kind}`; to reach another kind of server "
            f"declare a provider under another id",
            path=file,
            key=f"providers.{pid}.type",
        )
    raw["type"] = kind
    if builtin.quirks is not None:  # a preset: the user's quirks go over its own
        given = raw.get("quirks", {})
        preset = msgspec.to_builtins(builtin.quirks)
        raw["quirks"] = {**preset, **given} if isinstance(given, dict) else given
    raw.setdefault("api_key_env", builtin.key_env)
    if "base_url" in raw:
        return "the config file"
    from_env = env.get(builtin.base_url_env or "")
    if from_env:
        raw["base_url"] = from_env
        return f"${builtin.base_url_env}"
    if builtin.base_url is not None:
        raw["base_url"] = builtin.base_url
    return "the default"


def _bedrock_region(config: ProviderConfig, env: Mapping[str, str]) -> ProviderConfig:
    """The region from the environment when the config names none (as the AWS SDKs do)."""
    if config.region:
        return config
    region = next((env[name] for name in REGION_ENV_VARS if env.get(name)), None)
    return msgspec.structs.replace(config, region=region)


def _check_headers(config: ProviderConfig, file: str | None, key: str) -> None:
    auth = config.auth_header()
    for name in config.headers:
        if name.lower() == auth:
            raise ConfigError(
                f"may not set `{name}`: that header carries the credential; "
                "configure the key with api_key_env, api_key_command or api_key instead",
                path=file,
                key=f"{key}.headers",
            )


def _check_azure(config: ProviderConfig, file: str | None, key: str) -> None:
    """``auth`` and ``api_version`` are Azure's; Azure has no ``auto`` (deployment names say
    nothing about the model)."""
    if config.type == "azure":
        if config.api == "auto":
            raise ConfigError(
                "Azure deployments are named by you, so `auto` cannot tell a reasoning model: "
                'set `api = "chat"` or `api = "responses"`',
                path=file,
                key=f"{key}.api",
            )
        return
    for name in ("auth", "api_version"):
        if getattr(config, name) is not None:
            raise ConfigError(
                f"`{name}` is an Azure OpenAI setting (type `azure`); a provider of type "
                f"`{config.type}` does not take it: remove it",
                path=file,
                key=f"{key}.{name}",
            )


def _check_id_pattern(pattern: str | None, file: str | None, key: str) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"not a regular expression ({exc}); e.g. `^[A-Za-z0-9]{{9}}$` for Mistral's ids",
            path=file,
            key=f"{key}.quirks.tool_call_id_pattern",
        ) from None


def _check_pattern(pattern: str | None, file: str | None, key: str, example: str) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"not a regular expression ({exc}); {example}", path=file, key=key
        ) from None


def _known_provider(pid: str, known: Collection[str], file: str | None, key: str) -> None:
    if pid not in known:
        raise ConfigError(
            f"unknown provider `{pid}` (configured: {', '.join(sorted(known))})",
            path=file,
            key=key,
        )


def _permission_warnings(path: Path, doc: dict[str, Any]) -> list[ProviderRuntimeWarning]:
    tables = doc.get("providers", {})
    if not isinstance(tables, dict):
        return []
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
