"""The benchmark harness, run tiny: well-formed output, every process stopped. No timing asserts."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from typing import Any

import pytest
from benchmarks import bodies, report
from benchmarks.measure import percentile
from benchmarks.mock_server import running_mock
from benchmarks.run import bench_env, main, merge_rounds
from benchmarks.startup import summarize_importtime

from tests.openapi import validate, validate_request
from tests.service_model import validate_converse_request, validate_shape

DRIVERS = ("httpx", "runtime", "daemon")
NOT_GIVEN = "daemon-own-install"  # needs --daemon-python: reported as not measured


def test_mock_bodies_follow_the_official_specs() -> None:
    apis = bodies.APIS
    validate("openai", "CreateChatCompletionResponse", apis["openai"].response)
    validate_request("openai", "/chat/completions", apis["openai"].request)
    validate("anthropic", "Message", apis["anthropic"].response)
    validate_request("anthropic", "/v1/messages", apis["anthropic"].request)
    validate("openai", "Response", apis["responses"].response)
    validate_request("openai", "/responses", apis["responses"].request)
    validate("gemini", "GenerateContentResponse", apis["gemini"].response)
    gemini = {"model": f"models/{bodies.GEMINI_MODEL}", **apis["gemini"].request}
    validate_request("gemini", "/v1beta/models/{model}:generateContent", gemini)
    validate_shape("ConverseResponse", apis["converse"].response)
    validate_converse_request(bodies.BEDROCK_MODEL, apis["converse"].request)


def test_every_api_routes_to_the_mock_and_back() -> None:
    """Each API's path reaches its own answer, and the config routes its model to the mock."""
    for api in bodies.APIS.values():
        assert bodies.response_for(api.path) is api
        provider = api.model.split("/", 1)[0]
        assert f"[providers.{provider}]" in bodies.config_toml("http://127.0.0.1:1")


def _exchange(port: int, raw: bytes, replies: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(raw)
        data = b""
        while data.count(b"HTTP/1.1 ") < replies or not data.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def test_mock_answers_pipelined_and_chunked_requests_on_one_connection() -> None:
    body = json.dumps(bodies.APIS["openai"].request).encode()
    first = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%b" % (
        len(body),
        body,
    )
    second = (
        b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n0\r\n\r\n"
    )
    with running_mock(sys.executable, bench_env(), max_seconds=30) as url:
        port = int(url.rsplit(":", 1)[1])
        data = _exchange(port, first + second, replies=2)
    heads = data.split(b"HTTP/1.1 ")[1:]
    assert [h[:3] for h in heads] == [b"200", b"200"]
    openai_body = heads[0].split(b"\r\n\r\n", 1)[1]
    assert json.loads(openai_body) == bodies.OPENAI_RESPONSE
    assert json.loads(heads[1].split(b"\r\n\r\n", 1)[1]) == bodies.ANTHROPIC_RESPONSE


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_importtime_summary_counts_roots_and_watched_modules() -> None:
    lines = [
        "import time: self [us] | cumulative | imported package",
        "import time:       100 |        100 |   _io",
        "import time:      2000 |       5000 | pygls",
        "import time:      3000 |       3000 |   lsprotocol",
        "some log line",
    ]
    summary = summarize_importtime(lines)
    assert summary["modules"] == 3
    assert summary["total_ms"] == 5.1
    assert summary["top"][0] == {"module": "pygls", "cumulative_ms": 5.0}
    assert summary["watched"]["pygls"] == 5.0
    assert summary["watched"]["lsprotocol.types"] is None


def _round(p50: float, cps: float, errors: int = 0) -> dict:
    phase = {
        "inflight": 1,
        "calls": 10,
        "errors": errors,
        "requested": 10,
        "seconds": 1.0,
        "p50_ms": p50,
        "p99_ms": p50 * 2,
        "mean_ms": p50,
        "calls_per_second": cps,
        "truncated": False,
        "first_error": "boom" if errors else None,
    }
    return {"driver": "daemon", "api": "openai", "available": True, "phases": [phase]}


def test_rounds_merge_into_medians_with_summed_counts() -> None:
    merged = merge_rounds([_round(3.0, 100.0), _round(1.0, 300.0, errors=2), _round(2.0, 200.0)])
    (phase,) = merged["phases"]
    assert (phase["p50_ms"], phase["p99_ms"], phase["calls_per_second"]) == (2.0, 4.0, 200.0)
    assert (phase["calls"], phase["errors"], phase["requested"]) == (30, 2, 30)
    assert phase["first_error"] == "boom"
    assert merged["rounds"] == len(merged["per_round"]) == 3


def test_ratios_are_taken_to_the_floor_of_the_same_api_and_load() -> None:
    floor, daemon = _round(2.0, 400.0), _round(3.0, 300.0)
    floor["driver"] = report.FLOOR
    other_api = _round(1.0, 1000.0)
    other_api.update(driver=report.FLOOR, api="anthropic")
    runs = [floor, daemon, other_api]
    report.add_ratios(runs)
    assert daemon["phases"][0]["p50_x_floor"] == 1.5
    assert daemon["phases"][0]["cps_x_floor"] == 0.75
    assert floor["phases"][0]["p50_x_floor"] == 1.0


def _leftover_children() -> list[str]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", str(os.getpid())],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return [line for line in out.splitlines() if "ps -o" not in line]


def test_tiny_run_writes_well_formed_results(tmp_path) -> None:
    result = main(
        [
            "--drivers",
            ",".join((*DRIVERS, NOT_GIVEN)),
            "--rounds",
            "1",
            "--calls",
            "5",
            "--concurrent-calls",
            "12",
            "--inflight",
            "4",
            "--warmup",
            "2",
            "--max-seconds",
            "5",
            "--paired-calls",
            "6",
            "--fast-calls",
            "20",
            "--memory-calls",
            "120",
            "--startup-repeats",
            "1",
            "--import-repeats",
            "1",
            "--out",
            str(tmp_path),
            "--quiet",
        ]
    )
    saved = json.loads((tmp_path / "latest.json").read_text())
    assert saved == json.loads(json.dumps(result))
    assert len(list(tmp_path.glob("bench-*.json"))) == 1
    assert _leftover_children() == []

    assert {(r["api"], r["driver"]) for r in saved["runs"]} == {
        (api, d) for api in bodies.APIS for d in (*DRIVERS, NOT_GIVEN)
    }
    for run in saved["runs"]:
        if run["driver"] == NOT_GIVEN:
            assert run["available"] is False and "--daemon-python" in run["reason"]
            continue
        assert run["available"] and "failed" not in run, run
        one, many = run["phases"]
        assert (one["inflight"], many["inflight"]) == (1, 4)
        assert run["rounds"] == len(run["per_round"]) == 1
        assert (one["calls"], one["errors"], many["calls"], many["errors"]) == (5, 0, 12, 0)
        for phase in (one, many):
            assert 0 < phase["p50_ms"] <= phase["p99_ms"]
            assert phase["calls_per_second"] > 0
            assert phase["p50_x_floor"] > 0 and phase["cps_x_floor"] > 0
            if run["driver"] == report.FLOOR:
                assert phase["p50_x_floor"] == phase["cps_x_floor"] == 1.0

    for api in bodies.APIS:
        paired = saved["paired"][api]["drivers"]
        assert list(paired) == ["httpx", "runtime", "daemon", "daemon-own-install"]
        assert paired[NOT_GIVEN]["available"] is False
        for name in ("httpx", "runtime", "daemon"):
            phase = paired[name]["phase"]
            assert (phase["calls"], phase["errors"]) == (6, 0)
            assert 0 < phase["p50_ms"] <= phase["p99_ms"] and phase["p50_x_floor"] > 0
        assert paired["httpx"]["phase"]["p50_x_floor"] == 1.0

    startup = saved["startup"]
    assert startup["exit_codes"] == [0]
    init = startup["spawn_to_initialize_ms"]["median"]
    assert 0 < init < startup["spawn_to_first_run_ms"]["median"]
    assert startup["imports_before_initialize"]["modules"] > 0
    assert "provider_runtime" in json.dumps(startup["imports_before_initialize"]["top"])

    fast = saved["fast_client"]
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        assert "C compiler" in fast["unavailable"]
    else:
        assert list(fast) == ["daemon, openai mock", "daemon, echo provider", "C pipe echo"]
        for figures in fast.values():
            assert 0 < figures["p50_ms"] <= figures["p99_ms"], fast

    memory = saved["memory"]
    assert (memory["calls"], memory["errors"], memory["exit_code"]) == (120, 0, 0)
    assert memory["rss_kib_after_start"] > 0 and memory["rss_kib_after_all"] > 0

    imports = {entry["statement"]: entry for entry in saved["imports"]}
    assert imports["import httpx"]["import_ms"]["median"] > 0

    names = [t["target"] for t in saved["targets"]]
    assert "daemon: spawn to initialize answer (median)" in names
    assert all(t["met"] in (True, False, None) for t in saved["targets"])
    table = (tmp_path / "latest.md").read_text()
    assert "raw httpx (floor)" in table and "provider-runtime daemon" in table
    assert "paired" in table and "through a C client" in table
    assert saved["machine"]["nproc"] >= 1


async def test_paired_runs_blocks_of_each_client_in_turn() -> None:
    from benchmarks.measure import run_paired

    order: list[str] = []

    def client(name: str) -> Any:
        async def call() -> None:
            order.append(name)

        return call

    phases = await run_paired({"a": client("a"), "b": client("b")}, each=5, max_seconds=10, block=2)
    assert order == ["a", "a", "b", "b", "b", "b", "a", "a", "a", "b"]
    assert phases["a"].calls == phases["b"].calls == 5
