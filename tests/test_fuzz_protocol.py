"""Hypothesis-driven fuzzing of the protocol surface: one daemon per framing, fed generated
JSON-RPC messages, valid and mutated (bytes flipped, cut, inserted; values of the wrong type).

Properties: the daemon stays alive; every valid request is answered exactly once; stdout holds
only well-formed protocol frames. Bounded: a fixed number of examples of a few messages each.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.daemon_client import run_params
from tests.sync_daemon import SyncDaemon

NONCE = os.urandom(4).hex()  # valid ids cannot be produced by chance from a mutant
_counter = itertools.count()

ERROR_KINDS = ["rate_limited", "overloaded", "authentication", "server", "timeout", "bogus"]


@pytest.fixture(scope="module", params=["lines", "content-length"])
def daemon(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SyncDaemon]:
    d = SyncDaemon(tmp_path_factory.mktemp(f"fuzz-{request.param}"), request.param)
    try:
        yield d
    finally:
        d.close()


def valid_id() -> str:
    return f"valid-{NONCE}-{next(_counter)}"


# ----------------------------------------------------------------------------- strategies

texts = st.one_of(
    st.text(max_size=40),
    st.builds(lambda s: f"/sleep 0.0{s} late", st.integers(0, 5)),
    st.sampled_from(ERROR_KINDS).map(lambda k: f"/error {k} fuzz"),
    st.just('/tool lookup {"q": 1}'),
)

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither
    st.text(max_size=12),
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed request (its id filled in later)."""
    kind = draw(st.sampled_from(["run", "run", "run", "models", "init", "catalog", "unknown"]))
    if kind == "run":
        extra = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "max_output_tokens": st.integers(1, 50),
                    "temperature": st.floats(0, 2),
                    "stop": st.lists(st.text(min_size=1, max_size=3), max_size=2),
                    "tools": st.just([{"name": "lookup", "parameters": {"type": "object"}}]),
                    "metadata": st.dictionaries(
                        st.text(max_size=5), st.text(max_size=5), max_size=2
                    ),
                },
            )
        )
        model = draw(st.sampled_from(["echo/echo-1", "echo/echo-lite", "echo-1", "nowhere/x"]))
        return {"method": "runtime/run", "params": run_params(draw(texts), model=model, **extra)}
    if kind == "models":
        providers = draw(st.none() | st.lists(st.sampled_from(["echo", "openai", "x"]), max_size=2))
        return {"method": "runtime/models", "params": {"providers": providers}}
    if kind == "init":
        params = {"clientInfo": draw(json_values), "warningNotifications": draw(st.booleans())}
        return {"method": "initialize", "params": params}
    if kind == "catalog":
        return {"method": "runtime/catalog"}
    return {"method": draw(st.text(max_size=20)), "params": draw(json_values)}


def replace_somewhere(doc: Any, value: Any, index: int) -> Any:
    """``doc`` with its ``index``-th node (in a walk of the tree) replaced by ``value``."""
    nodes: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        children = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, child in list(children):
            nodes.append((node, key))
            walk(child)

    copy = json.loads(json.dumps(doc))
    walk(copy)
    if nodes:
        parent, key = nodes[index % len(nodes)]
        parent[key] = value
    return copy


@st.composite
def mutants(draw: st.DrawFn) -> bytes:
    """A request damaged one way or another (its id is never a valid one)."""
    message = {"jsonrpc": "2.0", "id": f"mutant-{draw(st.integers(0, 999))}", **draw(requests())}
    how = draw(st.sampled_from(["retype", "flip", "cut", "insert", "delete", "duplicate"]))
    if how == "retype":
        index = draw(st.integers(0, 200))
        return json.dumps(replace_somewhere(message, draw(json_values), index)).encode()
    body = bytearray(json.dumps(message, ensure_ascii=draw(st.booleans())).encode())
    at = draw(st.integers(0, len(body) - 1))
    if how == "flip":
        body[at] ^= 1 << draw(st.integers(0, 7))
    elif how == "cut":
        del body[at:]
    elif how == "insert":
        body[at:at] = draw(
            st.binary(min_size=1, max_size=8) | st.sampled_from([b"\n", b"\xff", b'"', b"}"])
        )
    elif how == "delete":
        del body[at : at + draw(st.integers(1, 6))]
    else:
        body[at:at] = body[at : at + draw(st.integers(1, 20))]
    return bytes(body)


@st.composite
def sessions(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """A few messages: ("request", dict), ("batch", [dict]), ("note", dict), ("cancel", None),
    ("mutant", bytes)."""
    one = st.one_of(
        requests().map(lambda r: ("request", r)),
        st.lists(requests(), min_size=1, max_size=3).map(lambda rs: ("batch", rs)),
        st.tuples(st.just("note"), st.fixed_dictionaries({"method": st.text(max_size=15)})),
        st.just(("cancel", None)),
        mutants().map(lambda m: ("mutant", m)),
    )
    return draw(st.lists(one, min_size=1, max_size=12))


# ----------------------------------------------------------------------------- the property


def play(d: SyncDaemon, session: list[tuple[str, Any]]) -> list[str]:
    """Send the session; the valid ids that must each get exactly one answer."""
    expected: list[str] = []
    for kind, item in session:
        if kind == "request":
            msg_id = valid_id()
            expected.append(msg_id)
            d.send({"jsonrpc": "2.0", "id": msg_id, **item})
        elif kind == "batch":
            batch = []
            for request in item:
                msg_id = valid_id()
                expected.append(msg_id)
                batch.append({"jsonrpc": "2.0", "id": msg_id, **request})
            d.send(batch)
        elif kind == "note":
            d.send({"jsonrpc": "2.0", **item})
        elif kind == "cancel" and expected:
            d.send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": expected[-1]}})
        elif kind == "mutant":
            d.send_body(item)
    return expected


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(session=sessions())
def test_fuzzed_sessions_keep_the_daemon_whole(
    daemon: SyncDaemon, session: list[tuple[str, Any]]
) -> None:
    expected = play(daemon, session)
    sync = valid_id()
    daemon.send(
        {"jsonrpc": "2.0", "id": sync, "method": "runtime/run", "params": run_params("sync")}
    )
    missing = daemon.wait_for([*expected, sync], within=10)
    assert daemon.proc.poll() is None, daemon.stderr.decode()[-3000:]
    assert not missing, (missing, session)
    assert daemon.reply(sync)["result"]["output"]["content"][0]["text"] == "echo: sync"
    assert not daemon.garbage, daemon.garbage[:3]
    twice = [k for k in map(json.dumps, expected) if daemon.answered[k] != 1]
    assert not twice, twice


def test_after_fuzzing_every_valid_request_was_answered_once_and_nothing_else_leaked(
    daemon: SyncDaemon,
) -> None:
    """Late replies (cancelled or slow requests) included: still exactly one each."""
    sync = valid_id()
    daemon.send(
        {
            "jsonrpc": "2.0",
            "id": sync,
            "method": "runtime/run",
            "params": run_params("/sleep 0.2 last"),
        }
    )
    assert not daemon.wait_for([sync])
    valid = {k: n for k, n in daemon.answered.items() if k.startswith(f'"valid-{NONCE}-')}
    assert len(valid) > 100 and set(valid.values()) == {1}
    assert not daemon.garbage
    assert b"Traceback" not in daemon.stderr, daemon.stderr.decode()[-3000:]
