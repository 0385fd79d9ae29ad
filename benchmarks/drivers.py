"""One driver per way of making the same call: raw-httpx floor, peer SDKs, runtime, daemon.

A driver is opened once, then ``call()`` makes one complete call and checks the answer. Each is
set up the way its documentation shows for a long-lived program (one client, reused).
Peers are imported only inside their driver, so a missing one is reported, not fatal.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from typing import Any, ClassVar

from . import bodies

EXPECTED_TEXT = "Hello!"


class DriverUnavailable(Exception):
    """The library this driver needs is not installed (or cannot serve this API)."""


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _require(module: str, dist: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DriverUnavailable(f"{dist} is not installed ({exc})") from None


def _check(text: object) -> None:
    if text != EXPECTED_TEXT:
        raise AssertionError(f"unexpected answer text: {text!r}")


class Driver:
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    dist: ClassVar[str | None] = None
    apis: ClassVar[tuple[str, ...]] = tuple(bodies.APIS)

    def __init__(self, api: str, base_url: str, options: dict[str, Any]) -> None:
        if api not in self.apis:
            raise DriverUnavailable(f"{self.name} does not speak the {api} API")
        self.api = api
        self.base_url = base_url
        self.options = options

    def version(self) -> str | None:
        return _version(self.dist) if self.dist else None

    async def open(self) -> None:
        """Build clients; may raise ``DriverUnavailable``."""

    async def call(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release clients and processes."""


class HttpxFloor(Driver):
    """The floor: one default ``httpx.AsyncClient`` posting a prebuilt body, reading the reply."""

    name = "httpx"
    label = "raw httpx (floor)"
    dist = "httpx"

    async def open(self) -> None:
        import httpx

        api = bodies.APIS[self.api]
        self._client = httpx.AsyncClient()
        self._url = self.base_url + api.path
        self._headers = {**api.headers, "content-type": "application/json"}
        self._body = json.dumps(api.request).encode()

    async def call(self) -> None:
        response = await self._client.post(self._url, content=self._body, headers=self._headers)
        if response.status_code != 200 or not response.content:
            raise AssertionError(f"HTTP {response.status_code}")

    async def aclose(self) -> None:
        await self._client.aclose()


class OpenAISDK(Driver):
    name = "openai-sdk"
    label = "openai SDK"
    dist = "openai"
    apis = ("openai", "responses")

    async def open(self) -> None:
        openai = _require("openai", "openai")
        self._client = openai.AsyncOpenAI(api_key=bodies.API_KEY, base_url=self.base_url + "/v1")

    async def call(self) -> None:
        if self.api == "responses":
            response = await self._client.responses.create(
                model=bodies.RESPONSES_MODEL,
                instructions=bodies.SYSTEM,
                input=[{"role": "user", "content": bodies.PROMPT}],
                max_output_tokens=bodies.MAX_TOKENS,
                store=False,
            )
            _check(response.output_text)
            return
        completion = await self._client.chat.completions.create(
            model=bodies.OPENAI_MODEL,
            messages=bodies.openai_messages(),
            max_completion_tokens=bodies.MAX_TOKENS,
        )
        _check(completion.choices[0].message.content)

    async def aclose(self) -> None:
        await self._client.close()


class AnthropicSDK(Driver):
    name = "anthropic-sdk"
    label = "anthropic SDK"
    dist = "anthropic"
    apis = ("anthropic",)

    async def open(self) -> None:
        anthropic = _require("anthropic", "anthropic")
        self._client = anthropic.AsyncAnthropic(api_key=bodies.API_KEY, base_url=self.base_url)

    async def call(self) -> None:
        message = await self._client.messages.create(
            model=bodies.ANTHROPIC_MODEL,
            max_tokens=bodies.MAX_TOKENS,
            system=bodies.SYSTEM,
            messages=[{"role": "user", "content": bodies.PROMPT}],
        )
        _check(message.content[0].text)

    async def aclose(self) -> None:
        await self._client.close()


class LiteLLM(Driver):
    """``litellm.acompletion`` with ``api_base`` (it keeps its own client cache)."""

    name = "litellm"
    label = "LiteLLM"
    dist = "litellm"
    apis = ("openai", "anthropic")

    async def open(self) -> None:
        self._litellm = _require("litellm", "litellm")
        self._litellm.telemetry = False
        self._litellm.suppress_debug_info = True
        if self.api == "openai":
            self._model = f"openai/{bodies.OPENAI_MODEL}"
            self._base = self.base_url + "/v1"
        else:
            self._model = f"anthropic/{bodies.ANTHROPIC_MODEL}"
            self._base = self.base_url

    async def call(self) -> None:
        response = await self._litellm.acompletion(
            model=self._model,
            messages=bodies.openai_messages(),
            max_tokens=bodies.MAX_TOKENS,
            api_base=self._base,
            api_key=bodies.API_KEY,
        )
        _check(response.choices[0].message.content)


class AnyLLM(Driver):
    """any-llm with one reused ``AnyLLM.create(...)`` instance (its top-level
    ``acompletion`` builds a new provider client, hence a new connection pool, per call)."""

    name = "any-llm"
    label = "any-llm"
    dist = "any-llm-sdk"
    apis = ("openai", "anthropic")

    async def open(self) -> None:
        any_llm = _require("any_llm", "any-llm-sdk")
        base = self.base_url + "/v1" if self.api == "openai" else self.base_url
        try:
            self._llm = any_llm.AnyLLM.create(self.api, api_key=bodies.API_KEY, api_base=base)
        except ImportError as exc:
            raise DriverUnavailable(f"any-llm's {self.api} extra is missing ({exc})") from None
        self._model = bodies.OPENAI_MODEL if self.api == "openai" else bodies.ANTHROPIC_MODEL

    async def call(self) -> None:
        response = await self._llm.acompletion(
            model=self._model,
            messages=bodies.openai_messages(),
            max_tokens=bodies.MAX_TOKENS,
        )
        _check(response.choices[0].message.content)


class RuntimeLibrary(Driver):
    """provider-runtime as a library: ``build_runtime(load_config(...))``, then ``run``."""

    name = "runtime"
    label = "provider-runtime library"
    dist = "provider-runtime"

    async def open(self) -> None:
        import msgspec

        from provider_runtime import ProviderRuntime
        from provider_runtime.config import load_config
        from provider_runtime.core.types import ProviderRequest

        self._runtime = self._build(ProviderRuntime, load_config(self.options["config_path"]))
        self._request = msgspec.convert(bodies.canonical_request(self.api), ProviderRequest)

    def _build(self, runtime: Any, config: Any) -> Any:
        from provider_runtime.assembly import build_runtime

        return build_runtime(config)

    async def call(self) -> None:
        response = await self._runtime.run(self._request)
        part = response.output.content[0]
        _check(getattr(part, "text", None))

    async def aclose(self) -> None:
        await self._runtime.aclose()


class RuntimeOnePool(RuntimeLibrary):
    """What-if: the library with one httpx pool of 64 connections (as before its sharded pools)."""

    name = "runtime-one-pool"
    label = "library, one pool of 64 (before)"

    def _build(self, runtime: Any, config: Any) -> Any:
        from provider_runtime.assembly import build_runtime
        from provider_runtime.transport.http import HttpTransport

        from .one_pool_daemon import one_pool

        return build_runtime(config, transport=HttpTransport(pool=one_pool()))


class Daemon(Driver):
    """provider-runtime as the daemon: ``runtime/run`` over stdio, requests pipelined."""

    name = "daemon"
    label = "provider-runtime daemon"
    dist = "provider-runtime"
    module = "provider_runtime"

    async def open(self) -> None:
        from .stdio_client import DaemonClient

        options = {**self.options, "daemon_python": self._python()}
        env = getattr(self, "env", None)
        self._client = await DaemonClient.spawn(daemon_argv(options, self.module), env=env)
        await self._client.request("initialize", b"{}")
        self._params = json.dumps(bodies.canonical_request(self.api)).encode()

    async def call(self) -> None:
        result = await self._client.request("runtime/run", self._params)
        _check(_answer_text(result))

    def _python(self) -> str:
        return sys.executable  # the environment every other driver runs in

    @property
    def pid(self) -> int:
        return self._client.pid

    async def aclose(self) -> None:
        if hasattr(self, "_client"):
            await self._client.close()


class DaemonOwnInstall(Daemon):
    """The daemon on its own installation (``--daemon-python``), as users deploy it: only the
    runtime's dependencies, none that the peers bring along."""

    name = "daemon-own-install"
    label = "daemon, own install"

    def _python(self) -> str:
        python = self.options.get("own_python")
        if not python:
            raise DriverUnavailable("no --daemon-python given")
        return str(python)


class DaemonOnePool(DaemonOwnInstall):
    """What-if: the daemon with one httpx pool of 64 connections (as before its sharded pools)."""

    name = "daemon-one-pool"
    label = "daemon, one pool of 64 (before)"
    module = "benchmarks.one_pool_daemon"


class DaemonAsyncioLoop(DaemonOwnInstall):
    """The daemon on its own installation with uvloop hidden from its imports: asyncio's own
    event loop, to show what the ``uvloop`` extra is worth in the same run."""

    name = "daemon-asyncio"
    label = "daemon, own install, asyncio loop"

    async def open(self) -> None:
        self.env = self._hide_uvloop()
        await super().open()

    def _hide_uvloop(self) -> dict[str, str]:
        import os
        import tempfile
        from pathlib import Path

        self._shadow = tempfile.TemporaryDirectory(prefix="no-uvloop-")
        Path(self._shadow.name, "uvloop.py").write_text("raise ImportError('hidden')\n")
        path = os.pathsep.join(filter(None, [self._shadow.name, os.environ.get("PYTHONPATH")]))
        return {**os.environ, "PYTHONPATH": path}

    async def aclose(self) -> None:
        await super().aclose()
        self._shadow.cleanup()


class DaemonEchoProvider(DaemonOwnInstall):
    """The daemon on its own installation answering the same call with the offline ``echo``
    provider: the stdio hop, JSON-RPC and the runtime's own work, no HTTP."""

    name = "daemon-echo"
    label = "daemon, echo provider (no HTTP)"

    async def open(self) -> None:
        await super().open()
        self._params = json.dumps({**bodies.canonical_request(self.api), "model": "echo/echo-1"})
        self._params = self._params.replace("Say hello.", "Hello!").encode()  # echo says it back

    async def call(self) -> None:
        result = await self._client.request("runtime/run", self._params)
        text = _answer_text(result)
        if not text or EXPECTED_TEXT not in text:
            raise AssertionError(f"unexpected answer text: {text!r}")


class PipeEcho(Driver):
    """The physical limit of the stdio hop: ``pipe_echo.c`` answers each frame at once with the
    daemon's own answer to this call (so the client reads the same bytes), over the same pipes
    and the same client. Needs a C compiler (``cc``)."""

    name = "pipe-echo"
    label = "C pipe echo (limit of the hop)"
    dist = None

    async def open(self) -> None:
        import asyncio
        import shutil
        import tempfile
        from pathlib import Path

        from .stdio_client import DaemonClient

        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            raise DriverUnavailable("no C compiler (cc) to build benchmarks/pipe_echo.c")
        self._dir = tempfile.TemporaryDirectory(prefix="pipe-echo-")
        exe = Path(self._dir.name) / "pipe_echo"
        source = Path(__file__).with_name("pipe_echo.c")
        built = await asyncio.create_subprocess_exec(compiler, "-O2", "-o", str(exe), str(source))
        if await built.wait() != 0:
            raise DriverUnavailable("benchmarks/pipe_echo.c did not compile")
        payload = Path(self._dir.name) / "answer.json"
        payload.write_bytes(await self._daemon_answer())
        self._client = await DaemonClient.spawn([str(exe), str(payload)])

    async def _daemon_answer(self) -> bytes:
        daemon = Daemon(self.api, self.base_url, self.options)
        await daemon.open()
        try:
            return bytes(await daemon._client.request("runtime/run", daemon._params))
        finally:
            await daemon.aclose()

    async def call(self) -> None:
        _check(_answer_text(await self._client.request("runtime/run", b"{}")))

    async def aclose(self) -> None:
        if hasattr(self, "_client"):
            await self._client.close()
        if hasattr(self, "_dir"):
            self._dir.cleanup()


def _answer_text(result: Any) -> str | None:
    """The first text part of a ``ProviderResponse`` in JSON (as a client would read it)."""
    import msgspec

    content = msgspec.json.decode(result).get("output", {}).get("content") or [{}]
    text = content[0].get("text")
    return text if isinstance(text, str) else None


def daemon_argv(options: dict[str, Any], module: str = "provider_runtime") -> list[str]:
    python = options.get("daemon_python") or sys.executable
    return [
        python,
        *options.get("python_flags", []),
        "-m",
        module,
        "serve",
        "--config",
        options["config_path"],
    ]


DRIVERS: dict[str, type[Driver]] = {
    d.name: d
    for d in (
        HttpxFloor,
        OpenAISDK,
        AnthropicSDK,
        LiteLLM,
        AnyLLM,
        RuntimeLibrary,
        Daemon,
        DaemonOwnInstall,
        DaemonAsyncioLoop,
        DaemonEchoProvider,
        PipeEcho,
        RuntimeOnePool,
        DaemonOnePool,
    )
}
