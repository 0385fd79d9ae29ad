"""The ``provider-runtime`` command in-process: run, models, catalog, config, and its errors."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import msgspec
import pytest

from provider_runtime.cli import main
from provider_runtime.core.types import ProviderResponse

SECRET = "sk-cli-SECRET-9b1e"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.endswith("_API_KEY") or name.endswith("_BASE_URL"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("PROVIDER_RUNTIME_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


class FakeStdin(io.StringIO):
    def __init__(self, text: str = "", tty: bool = False) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def config_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return str(path)


def test_run_prints_the_answer_and_a_summary_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "hello there"]) == 0
    out, err = capsys.readouterr()
    assert out == "echo: hello there\n"
    assert "[echo/echo-1 · stop · 7 in / 5 out tokens · cost $0 (catalog)]" in err
    assert "warning:" not in err  # echo's own models are priced at zero: nothing to warn about


def test_run_on_an_unpriced_model_says_cost_unknown_and_warns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "-m", "echo/echo-unpriced", "hello there"]) == 0
    out, err = capsys.readouterr()
    assert out == "echo: hello there\n"
    assert "[echo/echo-unpriced · stop · 7 in / 5 out tokens · cost unknown]" in err
    assert "warning: [pricing.missing]" in err


def test_run_json_is_a_provider_response(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--json", "--system", "Be brief.", "hi"]) == 0
    response = msgspec.json.decode(capsys.readouterr().out, type=ProviderResponse)
    assert response.output.text == "echo: hi"
    assert response.usage.input_tokens == (4 + 3) + (4 + 1)  # the system message counts


def test_run_reads_a_request_object_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tool = {"name": "get_time"}
    request = {"messages": [{"role": "user", "content": "/tool get_time"}], "tools": [tool]}
    monkeypatch.setattr("sys.stdin", FakeStdin(json.dumps(request)))
    cfg = config_file(tmp_path, 'default_model = "echo/echo-1"\n')
    assert main(["run", "--config", cfg, "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tool call get_time {} (id call_")


def test_run_model_flag_overrides_the_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    request = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "x"}]}
    monkeypatch.setattr("sys.stdin", FakeStdin(json.dumps(request)))
    assert main(["run", "--model", "echo/echo-lite", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "echo-lite"


def test_run_reads_prompt_text_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", FakeStdin("piped prompt\n"))
    assert main(["run"]) == 0
    assert capsys.readouterr().out == "echo: piped prompt\n"


def test_run_without_prompt_on_a_terminal_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", FakeStdin(tty=True))
    assert main(["run"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("provider-runtime: error: ")


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{not json", "not valid JSON"),
        # the daemon's -32602 wording: the request object is what `params` would be
        ('{"messages": [{"role": "robot", "content": "x"}]}', "`params.messages[0].role`"),
        ('{"messages": 5}', "`messages` must be an array"),
        ('{"messages": []}', "`params.messages`: Expected `array` of length >= 1"),
        ('[{"role": "user", "content": "hi"}]', "the JSON on stdin is an array, not a request"),
        ('"hello"', "the JSON on stdin is a string, not a request"),
    ],
)
def test_bad_request_on_stdin_is_one_line_and_status_2(
    stdin: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", FakeStdin(stdin))
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["run", "-m", "nowhere/x", "hi"], "[routing]"),
        (["run", "-m", "openai/gpt-4o", "hi"], "OPENAI_API_KEY"),
        (["run", "/error rate_limited later"], "rate_limited (HTTP 429): later [rate_limited]"),
        (["config", "--config", "/nonexistent/provider-runtime.toml"], "[config]"),
    ],
)
def test_runtime_errors_exit_1_with_one_line(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and needle in err


def test_models_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--provider", "echo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "MODEL",
        "CONTEXT",
        "TOOLS",
        "VISION",
        "SCHEMA",
        "$/M",
        "IN",
        "$/M",
        "OUT",
        "SOURCE",
        "API",
    ]
    echo_1 = ["echo/echo-1", "32768", "yes", "yes", "yes", "0", "0", "static", "-"]
    assert lines[1].split() == echo_1
    assert lines[2].split() == ["echo/echo-lite", "8192", "no", "no", "no", "0", "0", "static", "-"]
    assert main(["models", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"echo-1", "gpt-4o"} <= {m["id"] for m in result["models"]}


def test_models_remote_reports_failures_as_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--remote", "--provider", "anthropic"]) == 0
    out, err = capsys.readouterr()
    assert "warning: [discovery.failed]" in err and "ANTHROPIC_API_KEY" in err
    assert "anthropic/claude" in out  # the static catalog still lists them


def test_models_table_says_which_api_each_openai_model_uses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["models", "--provider", "openai"]) == 0
    rows = {line.split()[0]: line.split()[-1] for line in capsys.readouterr().out.splitlines()}
    assert (rows["openai/gpt-4o"], rows["openai/o3-pro"]) == ("chat", "responses")


def test_catalog_prints_the_exported_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog"]) == 0
    catalog = json.loads(capsys.readouterr().out)
    assert catalog["snapshot"] and any(m["provider"] == "echo" for m in catalog["models"])


def test_config_masks_secrets_and_names_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    cfg = config_file(tmp_path, f'[providers.openai]\napi_key = "{SECRET}"\n')
    assert main(["config", "--config", cfg]) == 0
    text = capsys.readouterr().out
    assert SECRET not in text
    assert f"config file:   {cfg}" in text
    assert "credential: config file" in text and "credential: env ANTHROPIC_API_KEY (set)" in text
    assert main(["config", "--config", cfg, "--json"]) == 0
    raw = capsys.readouterr().out
    assert SECRET not in raw
    described = json.loads(raw)
    assert described["providers"]["openai"]["api_key"] not in (None, SECRET)


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2 and "COMMAND" in capsys.readouterr().err


def test_serve_defaults_match_the_server() -> None:
    from provider_runtime.cli import _parser
    from provider_runtime.server import DEFAULT_MAX_MESSAGE_BYTES

    args = _parser().parse_args(["serve"])
    assert args.max_message_bytes == DEFAULT_MAX_MESSAGE_BYTES
    assert args.framing is None and args.log_level == "warning" and args.config is None


def test_count_prints_the_tokens_and_whether_they_fit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", "hello there"]) == 0
    out, _ = capsys.readouterr()
    assert out == (
        "7 input tokens for echo/echo-1 (estimate, not exact) · context window 32768 · fits\n"
    )
    assert main(["count", "--json", "-m", "echo/echo-lite", "hello there"]) == 0
    counted = json.loads(capsys.readouterr().out)
    assert (counted["input_tokens"], counted["model"], counted["fits"]) == (7, "echo-lite", True)


def test_count_reads_a_request_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    request = {"messages": [{"role": "user", "content": "x" * 40000}], "max_output_tokens": 100}
    monkeypatch.setattr("sys.stdin", FakeStdin(json.dumps(request)))
    assert main(["count", "-m", "echo/echo-lite"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("10004 input tokens for echo/echo-lite")
    assert out.endswith("does NOT fit with the output reserved\n")


def test_count_failure_with_json_prints_the_error_object(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["count", "--json", "-m", "anthropic/claude-sonnet-4-5", "hi"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["error"]["code"] == -32001
    assert "ANTHROPIC_API_KEY" in err


def test_price_prints_one_line_per_model(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["price", "-m", "openai/gpt-4o", "-m", "echo/unlisted-model", "--input", "12000"]
    assert main([*argv, "--output", "800", "--cache-read", "8000"]) == 0
    out, err = capsys.readouterr()
    gpt, echo = out.splitlines()
    assert gpt.startswith("openai/gpt-4o: $0.028 (input $0.01; output $0.008; cache read $0.01)")
    assert echo == "echo/unlisted-model: no price known"
    assert "warning: [pricing.missing]" in err
    assert main(["price", "--json", "-m", "openai/gpt-4o", "--input", "1000000"]) == 0
    (quote,) = json.loads(capsys.readouterr().out)["prices"]
    assert quote["cost"]["total"] == "2.5"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--input", "10", "--cache-read", "20"], "--cache-read: cache reads and writes are parts"),
        (["--output", "1", "--reasoning", "2"], "--reasoning: reasoning tokens are a part"),
    ],
)
def test_price_refuses_inconsistent_usage(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["price", "-m", "openai/gpt-4o", *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "message"), [("-3", "must be 0 or more"), ("1.5", "not a whole number")]
)
def test_price_refuses_malformed_counts(
    value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["price", "-m", "openai/gpt-4o", "--input", value])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
