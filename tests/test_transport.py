"""HTTP transport: exact retry timing, Retry-After, deadlines, exception mapping, redaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from provider_runtime.core.errors import ErrorKind, ProviderError
from provider_runtime.server.errors import error_data
from provider_runtime.transport import http as transport_http
from provider_runtime.transport import pool as transport_pool
from provider_runtime.transport.http import (
    HttpResponse,
    HttpTransport,
    RetryPolicy,
    map_httpx_error,
    parse_retry_after,
    redact_url,
)
from provider_runtime.transport.pool import ShardedPool

URL = "https://api.example.com/v1/chat/completions"
Step = httpx.Response | Exception


class Harness:
    """A transport whose clock only moves when it sleeps, answering from a script."""

    def __init__(self, steps: list[Step], rand: float = 0.5) -> None:
        self.steps = list(steps)
        self.now = 100.0
        self.sleeps: list[float] = []
        self.requests: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            step = self.steps.pop(0)
            if isinstance(step, Exception):
                raise step
            return step

        async def sleep(delay: float) -> None:
            self.sleeps.append(delay)
            self.now += delay

        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        self.transport = HttpTransport(
            client=client, sleep=sleep, clock=lambda: self.now, rand=lambda: rand
        )

    async def send(self, retry: RetryPolicy | None = None, **kwargs: Any) -> HttpResponse:
        kwargs.setdefault("headers", {"Authorization": "Bearer sk-test"})
        return await self.transport.request(
            "POST", kwargs.pop("url", URL), provider="openai", content=b"{}", retry=retry, **kwargs
        )


def ok(**headers: str) -> httpx.Response:
    return httpx.Response(200, json={"ok": True}, headers=headers)


def status(code: int, **headers: str) -> httpx.Response:
    return httpx.Response(code, json={"error": {"message": "nope"}}, headers=headers)


# --------------------------------------------------------------------------- backoff timing


def test_backoff_formula() -> None:
    policy = RetryPolicy(initial_backoff=0.5, multiplier=2.0, max_backoff=8.0, jitter=0.25)
    assert policy.backoff(0, 0.0) == 0.5
    assert policy.backoff(0, 0.5) == 0.4375
    assert policy.backoff(1, 0.5) == 0.875
    assert policy.backoff(3, 0.0) == 4.0
    assert policy.backoff(10, 0.0) == 8.0  # capped
    assert policy.backoff(10, 0.999) == pytest.approx(8.0 * (1 - 0.25 * 0.999))


async def test_exact_delays_until_retries_run_out() -> None:
    h = Harness([status(500), status(502), status(503)], rand=0.5)
    resp = await h.send(RetryPolicy(max_retries=2))
    assert resp.status == 503
    assert resp.attempts == 3
    assert h.sleeps == [0.4375, 0.875]
    assert h.steps == []


async def test_success_after_retries_reports_attempts() -> None:
    h = Harness([status(429), status(500), ok()], rand=0.0)
    resp = await h.send(RetryPolicy(max_retries=3, initial_backoff=1.0, multiplier=3.0))
    assert (resp.status, resp.attempts, resp.ok) == (200, 3, True)
    assert h.sleeps == [1.0, 3.0]


@pytest.mark.parametrize("code", [408, 409, 429, 500, 502, 503, 504, 529])
async def test_retried_statuses(code: int) -> None:
    h = Harness([status(code), ok()], rand=0.0)
    resp = await h.send(RetryPolicy(max_retries=1))
    assert (resp.status, resp.attempts) == (200, 2)
    assert h.sleeps == [0.5]


@pytest.mark.parametrize("code", [400, 401, 403, 404, 413, 422])
async def test_other_4xx_are_returned_at_once(code: int) -> None:
    h = Harness([status(code)])
    resp = await h.send(RetryPolicy(max_retries=5))
    assert (resp.status, resp.attempts, resp.ok) == (code, 1, False)
    assert h.sleeps == []


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ConnectError("refused"), ErrorKind.TRANSPORT),
        (httpx.ReadError("reset"), ErrorKind.TRANSPORT),
        (httpx.ConnectTimeout("slow"), ErrorKind.TIMEOUT),
        (httpx.ReadTimeout("slow"), ErrorKind.TIMEOUT),
        (httpx.RemoteProtocolError("bad"), ErrorKind.TRANSPORT),
    ],
)
async def test_connect_and_read_failures_are_retried(exc: Exception, kind: ErrorKind) -> None:
    h = Harness([exc, ok()], rand=0.0)
    assert (await h.send(RetryPolicy(max_retries=1))).attempts == 2
    assert h.sleeps == [0.5]
    h = Harness([exc, exc, exc], rand=0.0)
    with pytest.raises(ProviderError) as info:
        await h.send(RetryPolicy(max_retries=2))
    assert info.value.kind is kind
    assert info.value.retryable is True
    assert info.value.provider == "openai"
    assert h.sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    "exc",
    [
        httpx.UnsupportedProtocol("ftp"),
        httpx.LocalProtocolError("bad header"),
        httpx.TooManyRedirects("loop"),
    ],
)
async def test_non_retryable_exceptions_raise_at_once(exc: Exception) -> None:
    h = Harness([exc, ok()])
    with pytest.raises(ProviderError) as info:
        await h.send(RetryPolicy(max_retries=3))
    assert info.value.retryable is False
    assert h.sleeps == []
    assert len(h.requests) == 1


# --------------------------------------------------------------------------- Retry-After


def test_parse_retry_after_forms() -> None:
    now = datetime(2015, 10, 21, 7, 27, 50, tzinfo=UTC)
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "0.5"}) == 0.5
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=now) == 10.0
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2015 07:27:00 GMT"}, now=now) == 0.0
    assert parse_retry_after({"retry-after-ms": "1500", "Retry-After": "9"}) == 1.5
    assert parse_retry_after({"retry-after-ms": "soon", "Retry-After": "9"}) == 9.0
    assert parse_retry_after({"Retry-After": "soon"}) is None
    assert parse_retry_after({"Retry-After": "-1"}) is None
    assert parse_retry_after({}) is None


async def test_retry_after_seconds_is_honoured() -> None:
    h = Harness([status(429, **{"retry-after": "7"}), ok()])
    resp = await h.send(RetryPolicy(max_retries=1))
    assert resp.attempts == 2
    assert h.sleeps == [7.0]


async def test_retry_after_ms_wins_over_retry_after() -> None:
    h = Harness([status(503, **{"retry-after-ms": "250", "retry-after": "7"}), ok()])
    await h.send(RetryPolicy(max_retries=1))
    assert h.sleeps == [0.25]


async def test_retry_after_http_date_is_honoured() -> None:
    when = "Wed, 21 Oct 2099 07:28:00 GMT"
    h = Harness([status(429, **{"retry-after": when}), ok()])
    resp = await h.send(RetryPolicy(max_retries=1, max_retry_after=1e12, deadline=None))
    expected = (datetime(2099, 10, 21, 7, 28, tzinfo=UTC) - datetime.now(UTC)).total_seconds()
    assert resp.attempts == 2
    assert h.sleeps[0] == pytest.approx(expected, abs=5)


async def test_retry_after_over_the_cap_returns_the_response() -> None:
    h = Harness([status(429, **{"retry-after": "120"}), ok()])
    resp = await h.send(RetryPolicy(max_retries=3, max_retry_after=60))
    assert (resp.status, resp.attempts) == (429, 1)
    assert resp.retry_after == 120.0
    assert h.sleeps == []


async def test_unparseable_retry_after_falls_back_to_backoff() -> None:
    h = Harness([status(429, **{"retry-after": "later"}), ok()], rand=0.0)
    await h.send(RetryPolicy(max_retries=1))
    assert h.sleeps == [0.5]


# --------------------------------------------------------------------------- deadline


async def test_deadline_stops_retries() -> None:
    # waits would be 0.4375 then 0.875: the second would end at 1.3125 > 1.0
    h = Harness([status(500), status(500), status(500)], rand=0.5)
    resp = await h.send(RetryPolicy(max_retries=5, deadline=1.0))
    assert (resp.status, resp.attempts) == (500, 2)
    assert h.sleeps == [0.4375]


async def test_retry_after_beyond_deadline_is_not_waited() -> None:
    h = Harness([status(429, **{"retry-after": "30"}), ok()])
    resp = await h.send(RetryPolicy(max_retries=3, deadline=10.0))
    assert resp.attempts == 1
    assert h.sleeps == []


async def test_deadline_shortens_the_per_attempt_timeout() -> None:
    h = Harness([status(500), ok()], rand=0.0)
    await h.send(RetryPolicy(max_retries=1, deadline=3.0), timeout=30.0)
    first, second = (r.extensions["timeout"]["read"] for r in h.requests)
    assert first == 3.0
    assert second == 2.5  # 0.5 s were spent waiting
    h = Harness([ok()])
    await h.send(RetryPolicy(deadline=None), timeout=12.0)
    assert h.requests[0].extensions["timeout"]["read"] == 12.0


# --------------------------------------------------------------------------- exception mapping

# StreamError's subclasses are misuse of a response object, covered on purpose by its entry.
STREAM_MISUSE = {
    httpx.StreamConsumed,
    httpx.StreamClosed,
    httpx.ResponseNotRead,
    httpx.RequestNotRead,
}


def httpx_exception_classes() -> list[type[Exception]]:
    return [
        obj
        for name in httpx.__all__
        if isinstance(obj := getattr(httpx, name), type) and issubclass(obj, Exception)
    ]


def instantiate(cls: type[Exception]) -> Exception:
    if cls is httpx.HTTPStatusError:
        request = httpx.Request("GET", URL)
        return cls("boom", request=request, response=httpx.Response(500, request=request))
    try:
        return cls("boom")
    except TypeError:
        return cls()


def test_exception_list_is_not_empty() -> None:
    classes = httpx_exception_classes()
    assert httpx.ConnectError in classes
    assert len(classes) >= 25


@pytest.mark.parametrize("cls", httpx_exception_classes(), ids=lambda c: c.__name__)
def test_every_httpx_exception_has_a_deliberate_entry(cls: type[Exception]) -> None:
    table: tuple[tuple[type[Exception], ErrorKind, bool, str], ...] = (
        transport_http._EXCEPTION_KINDS
    )
    own = [entry for entry in table if entry[0] is cls]
    if cls in STREAM_MISUSE:
        own = [entry for entry in table if entry[0] is httpx.StreamError]
    assert own, f"httpx.{cls.__name__} has no entry in _EXCEPTION_KINDS"
    _, kind, retryable, text = own[0]
    mapped = map_httpx_error(instantiate(cls), provider="p", url=URL)
    # the mapping uses this very entry, not an earlier, more generic one nor the fallback
    assert (mapped.kind, mapped.retryable) == (kind, retryable)
    assert mapped.message.startswith(f"{text} (")
    assert mapped.message.endswith(f": {cls.__name__}")


def test_specific_kinds() -> None:
    def kind_of(exc: Exception) -> tuple[ErrorKind, bool]:
        err = map_httpx_error(exc, provider=None, url=None)
        return err.kind, err.retryable

    assert kind_of(httpx.ConnectTimeout("x")) == (ErrorKind.TIMEOUT, True)
    assert kind_of(httpx.PoolTimeout("x")) == (ErrorKind.TIMEOUT, True)
    assert kind_of(httpx.ConnectError("x")) == (ErrorKind.TRANSPORT, True)
    assert kind_of(httpx.DecodingError("x")) == (ErrorKind.PROTOCOL, False)
    assert kind_of(httpx.InvalidURL("x")) == (ErrorKind.INVALID_REQUEST, False)
    assert map_httpx_error(httpx.ReadError("x"), provider=None, url=None).message == (
        "connection failed while reading: ReadError"
    )


# --------------------------------------------------------------------------- no secrets out


SECRET_URL = "https://api.example.com/v1/chat/completions?key=QUERYSECRET"
SECRET_HEADERS = {"Authorization": "Bearer sk-HEADERSECRET", "x-api-key": "sk-ant-XKEYSECRET"}


def assert_clean(*texts: str) -> None:
    for text in texts:
        for secret in ("HEADERSECRET", "XKEYSECRET", "QUERYSECRET", "hunter2"):
            assert secret not in text


def test_redact_url() -> None:
    assert redact_url(SECRET_URL) == "https://api.example.com/v1/chat/completions"
    assert redact_url("https://u:hunter2@h.example/p?q=1#f") == "https://h.example/p"


@pytest.mark.parametrize(
    "make_steps",
    [
        lambda: [
            httpx.ConnectError("refused"),
            httpx.ConnectError("refused"),
            httpx.ConnectError("x"),
        ],
        lambda: [status(500), status(503), status(500)],
        lambda: [httpx.UnsupportedProtocol("nope")],
    ],
    ids=["connect-errors", "5xx", "not-retryable"],
)
async def test_errors_and_logs_carry_no_credentials(
    make_steps: Callable[[], list[Step]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h = Harness(make_steps())
    try:
        resp = await h.send(RetryPolicy(max_retries=2), url=SECRET_URL, headers=SECRET_HEADERS)
        assert resp.status >= 500
    except ProviderError as err:
        assert_clean(
            str(err), repr(err), str(error_data(err)), str(err.__cause__), str(err.__context__)
        )
        assert err.__suppress_context__
    if len(h.requests) > 1:
        assert caplog.records, "expected the retries to be logged"
    assert_clean(caplog.text, *(r.getMessage() for r in caplog.records))
    assert h.requests[0].headers["authorization"] == "Bearer sk-HEADERSECRET"  # still sent


async def test_httpx_request_log_has_no_query(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    h = Harness([ok()])
    await h.send(url=SECRET_URL, headers=SECRET_HEADERS)
    messages = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("api.example.com/v1/chat/completions" in m for m in messages)
    assert_clean(*messages)


def test_response_helpers() -> None:
    resp = HttpResponse(200, {"request-id": "req_9", "retry-after": "2"}, b"", URL)
    assert (resp.request_id, resp.retry_after, resp.ok) == ("req_9", 2.0, True)
    assert HttpResponse(404, {}, b"", URL).request_id is None
    assert HttpResponse(404, {}, b"", URL).ok is False


async def test_requests_name_the_runtime_and_never_send_cookies_back() -> None:
    """Every call is stateless: a cookie a server sets is not sent with the next request, and
    each request says who sends it (the client's default headers under the call's own)."""
    import respx

    from provider_runtime import __version__

    with respx.mock:
        route = respx.post("https://api.example.test/v1/x").respond(
            200, json={}, headers={"set-cookie": "__cf_bm=abc; Path=/"}
        )
        transport = HttpTransport(client=transport_pool.new_client())
        for _ in range(2):
            await transport.request(
                "POST", "https://api.example.test/v1/x", provider="p", headers={"X-Key": "k"}
            )
        await transport.aclose()
    seen = [call.request for call in route.calls]
    first, second = seen
    assert first.headers["user-agent"] == f"provider-runtime/{__version__}"
    assert second.headers["x-key"] == "k" and "accept-encoding" in second.headers
    assert "cookie" not in second.headers
    assert [k for k, _ in second.headers.raw].count(b"user-agent") == 1


def test_a_proxy_in_the_environment_sends_through_httpx_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """httpx's client applies HTTP(S)_PROXY / ALL_PROXY / NO_PROXY; without one the requests go
    straight to the pool (NO_PROXY alone names no proxy)."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "localhost")
    client, pool = transport_pool.new_sender()
    assert client is None and isinstance(pool, ShardedPool)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    client, pool = transport_pool.new_sender()
    assert isinstance(client, httpx.AsyncClient) and pool is None


async def test_requests_reach_the_provider_through_the_environments_proxy(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end through the spawned daemon: the provider's host does not resolve, so the call
    succeeds only by going through the proxy named by HTTP_PROXY (the loopback server)."""
    from tests.daemon_client import isolated_env, run_params, spawn_daemon
    from tests.loopback_provider import loopback_provider

    async with loopback_provider() as proxy:
        config = (
            '[providers.far]\ntype = "openai_compatible"\nbase_url = "http://provider.invalid/v1"\n'
        )
        env = isolated_env(tmp_path, HTTP_PROXY=proxy.url, NO_PROXY="")
        async with spawn_daemon(tmp_path, config=config, env=env) as daemon:
            reply = await daemon.request("runtime/run", run_params("hi", model="far/mock-model"))
    assert reply["result"]["output"]["content"][0]["text"] == "loopback says hi", reply
    (exchange,) = proxy.exchanges
    assert exchange.path.startswith("http://provider.invalid/v1/chat/completions")
