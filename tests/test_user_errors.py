"""Errors a user can act on, met through the spawned daemon and the real CLI: each names what
is wrong and how to fix it (wrong base URLs, malformed model ids, unknown providers in listings,
ambiguous or empty input to `run`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from provider_runtime.catalog import check_model_reference
from provider_runtime.core.errors import RoutingError
from provider_runtime.core.types import ModelCatalog, ModelInfo
from provider_runtime.providers.errors import advise_anthropic_base_url, advise_openai_base_url
from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import loopback_provider, reply

CLI = [sys.executable, "-m", "provider_runtime"]


def cli(
    tmp: Path, *args: str, stdin: str | None = None, stdin_fd: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command, isolated from the user's config and keys; stdin empty unless given
    (as text, or as a descriptor to inherit)."""
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        stdin=stdin_fd if stdin_fd is not None else subprocess.DEVNULL if stdin is None else None,
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
            and "configured: anthropic, bedrock, echo" in (warning["message"])
        )
        assert warning["details"]["provider"] == "mistral"
        assert "set MISTRAL_API_KEY" in warning["message"]  # a preset left off says how
        known = await d.request("runtime/models", {"providers": ["echo"]})
        assert known["result"]["warnings"] == []


def test_cli_models_for_an_unknown_provider_warn(tmp_path: Path) -> None:
    done = cli(tmp_path, "models", "--provider", "mistral")
    assert done.returncode == 0
    assert "[routing.unknown_provider] unknown provider `mistral`" in done.stderr


# --------------------------------------------------------------------------- wrong addresses

URL_SECRET = "qs-secret-0b7e1f"
ANTHROPIC_KEY = "sk-ant-address-tests-0001"
ADDRESS_CONFIG = """
[providers.nov1]
type = "openai_compatible"
base_url = "{url}"
max_retries = 0

[providers.full]
type = "openai_compatible"
base_url = "{url}/v1/chat/completions"
max_retries = 0

[providers.secret]
type = "openai_compatible"
base_url = "{url}/v1?api-key={secret}"
max_retries = 0

[providers.anthropic]
base_url = "{url}/v1"
max_retries = 0
"""
# What real servers answer on a path they do not serve (Go's net/http, FastAPI, nginx).
NOT_FOUND_TEXT = reply(404, "404 page not found\n", content_type="text/plain")
NOT_FOUND_FASTAPI = reply(404, {"detail": "Not Found"})
NOT_ALLOWED = reply(405, {"detail": "Method Not Allowed"})
BAD_GATEWAY_HTML = reply(
    502, "<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html"
)
MODEL_NOT_FOUND = reply(
    404,
    {
        "error": {
            "message": "The model `gpt-9` does not exist",
            "type": "invalid_request_error",
            "code": "model_not_found",
        }
    },
)
ANTHROPIC_NOT_FOUND = reply(
    404, {"type": "error", "error": {"type": "not_found_error", "message": "Not Found"}}
)


async def _errors(tmp: Path, calls: list[str]) -> dict[str, dict[str, object]]:
    script = {
        "text404": [NOT_FOUND_TEXT],
        "fastapi404": [NOT_FOUND_FASTAPI],
        "fastapi405": [NOT_ALLOWED],
        "html502": [BAD_GATEWAY_HTML],
        "gpt-9": [MODEL_NOT_FOUND],
        "claude-x": [ANTHROPIC_NOT_FOUND],
    }
    async with loopback_provider(script) as server:
        config = ADDRESS_CONFIG.format(url=server.url, secret=URL_SECRET)
        env = isolated_env(tmp, ANTHROPIC_API_KEY=ANTHROPIC_KEY)
        async with spawn_daemon(tmp, config=config, env=env) as d:
            errors = {}
            for model in calls:
                reply_ = await d.request("runtime/run", run_params("hi", model=model))
                errors[model] = reply_["error"]
            assert URL_SECRET.encode() not in d.stdout_raw
            assert ANTHROPIC_KEY.encode() not in d.stdout_raw
            return errors


async def test_not_found_names_the_url_and_the_base_url_fix(tmp_path: Path) -> None:
    errors = await _errors(
        tmp_path,
        ["nov1/text404", "nov1/fastapi404", "full/fastapi405", "anthropic/claude-x"],
    )
    text404 = str(errors["nov1/text404"]["message"])
    assert "requested POST http://127.0.0.1:" in text404 and "/chat/completions" in text404
    assert "`providers.nov1.base_url`" in text404 and "has no version segment" in text404
    assert "/v1`" in text404
    assert "has no version segment" in str(errors["nov1/fastapi404"]["message"])
    full = str(errors["full/fastapi405"]["message"])
    assert "HTTP 405" in full
    assert "/v1/chat/completions/chat/completions" in full  # the URL that was requested
    assert "ends in `/chat/completions`, which the runtime adds itself" in full
    claude = str(errors["anthropic/claude-x"]["message"])
    assert "/v1/v1/messages" in claude
    assert "`providers.anthropic.base_url` ends in `/v1`" in claude


async def test_other_error_pages_name_the_url_without_secrets(tmp_path: Path) -> None:
    errors = await _errors(tmp_path, ["secret/html502", "secret/gpt-9", "secret/fastapi404"])
    html = str(errors["secret/html502"]["message"])
    assert "non-JSON error body (HTTP 502)" in html
    assert "requested POST http://127.0.0.1:" in html and "base_url" not in html
    model = str(errors["secret/gpt-9"]["message"])
    assert "does not exist" in model and "requested POST" in model
    assert "base_url" not in model  # the provider said what is missing: the model, not the path
    assert "check `providers.secret.base_url`" in str(errors["secret/fastapi404"]["message"])
    for error in errors.values():
        assert URL_SECRET not in str(error) and "api-key" not in str(error)


@pytest.mark.parametrize(
    ("base_url", "advice"),
    [
        ("http://localhost:4000", "has no version segment"),
        ("http://localhost:4000/v1/chat/completions/", "set it to `http://localhost:4000/v1`"),
        ("https://generativelanguage.googleapis.com/v1beta/openai", "check"),
        ("https://user:pw@example.com/v1?key=" + URL_SECRET, "check"),
    ],
)
def test_openai_base_url_advice(base_url: str, advice: str) -> None:
    text = advise_openai_base_url("acme", base_url)
    assert advice in text and "`providers.acme.base_url`" in text
    assert URL_SECRET not in text and "pw@" not in text


def test_anthropic_base_url_advice() -> None:
    assert "set it to `https://proxy.example`" in advise_anthropic_base_url(
        "anthropic", "https://proxy.example/v1/"
    )
    assert "has no `/v1`" in advise_anthropic_base_url("anthropic", "https://proxy.example")


# --------------------------------------------------------------------------- `run` input

REQUEST = {"model": "echo/echo-1", "messages": [{"role": "user", "content": "from stdin"}]}


@pytest.mark.parametrize(
    ("stdin", "says"),
    [
        ('[{"role": "user", "content": "hi"}]', "the JSON on stdin is an array"),
        ('"hello"', "the JSON on stdin is a string"),
        ("42\n", "the JSON on stdin is a number"),
        ("null", "the JSON on stdin is null"),
    ],
)
def test_cli_refuses_json_on_stdin_that_is_not_an_object(
    tmp_path: Path, stdin: str, says: str
) -> None:
    done = cli(tmp_path, "run", stdin=stdin)
    assert done.returncode == 2, done
    assert says in done.stderr and "give it as PROMPT" in done.stderr
    assert done.stdout == ""  # nothing was sent: no answer


def test_cli_still_takes_plain_text_on_stdin(tmp_path: Path) -> None:
    done = cli(tmp_path, "run", stdin="[INST] not JSON at all\n")
    assert done.returncode == 0, done
    assert done.stdout == "echo: [INST] not JSON at all\n"


def _stdin_holding(tmp: Path, kind: str, data: str) -> int:
    """A descriptor to pass as stdin: a pipe whose data is all written (and its end too, so
    nothing depends on timing), or a file."""
    if kind == "file":
        path = tmp / "stdin.txt"
        path.write_text(data)
        return os.open(path, os.O_RDONLY)
    read, write = os.pipe()
    os.write(write, data.encode())
    os.close(write)
    return read


@pytest.mark.parametrize("kind", ["pipe", "file"])
@pytest.mark.parametrize("data", [json.dumps(REQUEST), "some text\n"])
def test_cli_refuses_a_prompt_together_with_stdin(tmp_path: Path, kind: str, data: str) -> None:
    fd = _stdin_holding(tmp_path, kind, data)
    try:
        done = cli(tmp_path, "run", "the prompt", stdin_fd=fd)
    finally:
        os.close(fd)
    assert done.returncode == 2, done
    assert "both PROMPT and input on stdin" in done.stderr and "</dev/null" in done.stderr
    assert done.stdout == ""


def test_cli_prompt_never_waits_on_a_stdin_pipe_left_open(tmp_path: Path) -> None:
    """A caller that spawns the command with stdio pipes and never closes stdin (Node's
    child_process default) gets its answer: the prompt is not held up by the empty pipe."""
    read, write = os.pipe()
    try:  # cli()'s timeout is the safety bound: the old code blocked until the pipe closed
        done = cli(tmp_path, "run", "the prompt", stdin_fd=read)
    finally:
        os.close(read)
        os.close(write)
    assert done.returncode == 0, done
    assert done.stdout == "echo: the prompt\n"


def test_cli_prompt_with_empty_stdin_is_fine(tmp_path: Path) -> None:
    assert cli(tmp_path, "run", "the prompt", stdin="").stdout == "echo: the prompt\n"
    assert cli(tmp_path, "run", "the prompt").stdout == "echo: the prompt\n"  # /dev/null


def test_cli_refuses_empty_messages_before_sending(tmp_path: Path) -> None:
    done = cli(tmp_path, "run", "--json", stdin=json.dumps({**REQUEST, "messages": []}))
    assert done.returncode == 2, done
    error = json.loads(done.stdout)["error"]
    assert error["code"] == -32602 and error["data"] == {"path": "params.messages"}
    assert "`params.messages`" in done.stderr


async def test_daemon_refuses_empty_messages_with_the_path(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        reply = await d.request("runtime/run", {"model": "echo/echo-1", "messages": []})
        assert reply["error"]["code"] == -32602
        assert reply["error"]["data"] == {"path": "params.messages"}
        assert "length >= 1" in reply["error"]["message"]
        assert (await d.request("runtime/run", run_params("still serving")))["result"]


@pytest.mark.parametrize(
    ("args", "code", "kind"),
    [
        (["-m", "nowhere/x", "hi"], -32002, "routing"),
        (["/error rate_limited slow down"], -32013, "rate_limited"),
    ],
)
def test_cli_run_json_prints_the_error_object_on_stdout(
    tmp_path: Path, args: list[str], code: int, kind: str
) -> None:
    done = cli(tmp_path, "run", "--json", *args)
    assert done.returncode == 1
    error = json.loads(done.stdout)["error"]  # what `| jq .error` sees
    assert error["code"] == code and error["data"]["kind"] == kind
    assert error["message"] in done.stderr  # the same error, also for humans


def test_cli_run_json_usage_errors_are_json_too(tmp_path: Path) -> None:
    done = cli(tmp_path, "run", "--json", stdin="[1]")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["code"] == -32602 and "an array" in error["message"]


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"]])
def test_help_lists_the_exit_statuses(tmp_path: Path, args: list[str]) -> None:
    done = cli(tmp_path, *args)
    assert done.returncode == 0
    text = done.stdout
    assert "exit status:" in text
    for line in ("0    success", "1    the runtime or a provider failed", "2    bad arguments"):
        assert line in text
    assert "130" in text


# --------------------------------------------------------------------------- warnings


def test_pricing_missing_shows_a_rule_that_silences_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")
    config.chmod(0o600)
    unpriced = ("-m", "echo/echo-unpriced")  # an id echo answers but does not list: no price
    done = cli(tmp_path, "run", "--json", "--config", str(config), *unpriced, "hi")
    [warning] = json.loads(done.stdout)["warnings"]
    assert warning["code"] == "pricing.missing"
    rule = warning["message"].partition("zero-price rule silences this: ")[2].removesuffix(")")
    assert rule  # the message carries the rule; writing it down as it says must work
    config.write_text("[[pricing]]\n" + rule.replace(", ", "\n", 2) + "\n")
    done = cli(tmp_path, "run", "--json", "--config", str(config), *unpriced, "hi")
    response = json.loads(done.stdout)
    assert response["warnings"] == [], response
    assert response["cost"]["total"] == "0" and response["cost"]["source"] == "user_config"


@pytest.mark.parametrize("args", [[], ["--json"]])
def test_config_shows_the_insecure_permissions_warning_once(
    tmp_path: Path, args: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[providers.openai]\napi_key = "sk-insecure-cli-0123456789"\n')
    config.chmod(0o644)
    done = cli(tmp_path, "config", "--config", str(config), *args)
    assert done.returncode == 0
    assert (done.stdout + done.stderr).count("insecure_permissions") == 1, done
