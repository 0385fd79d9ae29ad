"""Cache intent end to end: the canonical types, the capability pass's one cache step, handoff
keeping breakpoints, each provider's markers, and the spawned daemon (bad input, echo, quirks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provider_runtime.core.types import (
    CacheBreakpoint,
    CacheSupport,
    Message,
    MessageRole,
    ModelRef,
    ProviderCapabilities,
    ProviderRequest,
    ProviderRuntimeWarning,
    TextPart,
    ToolCall,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.handoff import normalize_handoff_messages
from provider_runtime.providers.anthropic import ANTHROPIC_CAPABILITIES, encode_anthropic_request
from provider_runtime.providers.google import GOOGLE_CAPABILITIES, encode_gemini_request
from provider_runtime.providers.openai import OPENAI_CAPABILITIES
from provider_runtime.providers.openrouter import (
    OPENROUTER_CAPABILITIES,
    encode_openrouter_request,
)
from provider_runtime.runtime.capabilities import prepare_request
from tests.daemon_client import run_params, spawn_daemon
from tests.loopback_provider import loopback_provider
from tests.openapi import validate_request
from tests.test_handoff_properties import TARGETS, assert_valid, conversations

BP = CacheBreakpoint()
BP_1H = CacheBreakpoint(ttl="1h")


def _request(*messages: Message, **extra: Any) -> ProviderRequest:
    return ProviderRequest(model="x/y", messages=list(messages), **extra)


def _prepare(
    request: ProviderRequest, provider: str, model: str, caps: ProviderCapabilities
) -> tuple[ProviderRequest, list[ProviderRuntimeWarning]]:
    return prepare_request(request, ModelRef(provider=provider, id=model), None, caps)


def _breakpoints(request: ProviderRequest) -> list[CacheBreakpoint]:
    return [p for m in request.messages for p in m.parts() if isinstance(p, CacheBreakpoint)]


def _codes(warnings: list[ProviderRuntimeWarning]) -> list[str]:
    return [w.code for w in warnings]


# --------------------------------------------------------------------------- types


def test_the_breakpoint_decodes_with_its_default_ttl() -> None:
    message = msgspec.json.decode(
        b'{"role": "system", "content": [{"type": "text", "text": "a"}, '
        b'{"type": "cache_breakpoint"}]}',
        type=Message,
    )
    assert message.parts()[1] == CacheBreakpoint(ttl="5m")
    request = msgspec.json.decode(
        b'{"model": "echo/echo-1", "messages": [{"role": "user", "content": "hi"}]}',
        type=ProviderRequest,
    )
    assert (request.cache_key, request.cache_retention) == (None, "default")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b'{"type": "cache_breakpoint", "ttl": "2h"}', "$.messages[0].content[0].ttl"),
        (b'{"type": "cache_breakpoint", "scope": "all"}', "$.messages[0].content[0]"),
    ],
)
def test_bad_breakpoints_name_their_path(body: bytes, path: str) -> None:
    raw = b'{"model": "m", "messages": [{"role": "user", "content": [' + body + b"]}]}"
    with pytest.raises(msgspec.ValidationError, match=path.replace("$", r"\$").replace("[", r"\[")):
        msgspec.json.decode(raw, type=ProviderRequest)


def test_an_unknown_retention_is_rejected() -> None:
    raw = b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "cache_retention": "1d"}'
    with pytest.raises(msgspec.ValidationError, match=r"\$\.cache_retention"):
        msgspec.json.decode(raw, type=ProviderRequest)


def test_the_first_matching_support_entry_applies() -> None:
    caps = ProviderCapabilities(
        cache=(CacheSupport(models="^new-", breakpoints=4), CacheSupport(cache_key=True))
    )
    assert caps.cache_support("new-model").breakpoints == 4
    assert caps.cache_support("old-model") == CacheSupport(cache_key=True)
    assert ProviderCapabilities().cache_support("any") == CacheSupport()


# --------------------------------------------------------------------------- the capability pass


def _five() -> ProviderRequest:
    return _request(
        Message(role=MessageRole.SYSTEM, content=[BP, TextPart(text="rules"), BP]),
        Message(role=MessageRole.USER, content=[TextPart(text="one"), BP]),
        Message(role=MessageRole.ASSISTANT, content=[TextPart(text="two"), BP]),
        Message(role=MessageRole.USER, content=[TextPart(text="three"), BP]),
    )


def test_beyond_the_limit_the_last_breakpoints_are_kept() -> None:
    request, warnings = _prepare(_five(), "anthropic", "claude-x", ANTHROPIC_CAPABILITIES)
    assert len(_breakpoints(request)) == 4
    assert request.messages[0].parts()[0] == TextPart(text="rules")  # the first one went
    (warning,) = warnings
    assert warning.code == "cache.breakpoints_limited"
    assert warning.details["dropped"] == ["$.messages[0].content[0]"]
    assert warning.details["kept"][-1] == "$.messages[3].content[1]"


def test_a_top_level_system_prompt_counts_first_in_prompt_order() -> None:
    # The system message stands last here, but for Anthropic it is sent first: its breakpoint
    # is the earliest and the one dropped.
    request = _request(
        Message(role=MessageRole.USER, content=[TextPart(text="a"), BP, TextPart(text="b"), BP]),
        Message(
            role=MessageRole.ASSISTANT, content=[TextPart(text="c"), BP, TextPart(text="d"), BP]
        ),
        Message(role=MessageRole.SYSTEM, content=[TextPart(text="rules"), BP]),
    )
    _, warnings = _prepare(request, "anthropic", "claude-x", ANTHROPIC_CAPABILITIES)
    (limited,) = [w for w in warnings if w.code == "cache.breakpoints_limited"]
    assert limited.details["dropped"] == ["$.messages[2].content[1]"]


def test_openai_models_without_breakpoints_drop_them_and_keep_the_key() -> None:
    request = _request(
        Message(role=MessageRole.USER, content=[TextPart(text="long prompt"), BP]),
        cache_key="k",
        cache_retention="extended",
    )
    old, warnings = _prepare(request, "openai", "gpt-4o", OPENAI_CAPABILITIES)
    assert _breakpoints(old) == [] and old.cache_key == "k"
    assert old.cache_retention == "default"
    assert _codes(warnings) == ["cache.retention_unsupported", "cache.breakpoint_dropped"]
    assert warnings[1].details["reason"] == "unsupported"
    new, warnings = _prepare(request, "openai", "gpt-5.6-terra", OPENAI_CAPABILITIES)
    assert _breakpoints(new) == [BP] and _codes(warnings) == ["cache.retention_unsupported"]
    listed, warnings = _prepare(request, "openai", "gpt-5.1-codex", OPENAI_CAPABILITIES)
    assert listed.cache_retention == "extended" and _codes(warnings) == ["cache.breakpoint_dropped"]


@pytest.mark.parametrize(
    "model", ["gemini-2.5-flash", "gemini-3-pro-preview", "gemini-3.1-pro", "gemini-flash-latest"]
)
def test_gemini_honours_breakpoints_implicitly_without_a_warning(model: str) -> None:
    request = _request(
        Message(role=MessageRole.SYSTEM, content=[TextPart(text="rules"), BP_1H]),
        Message(role=MessageRole.USER, content=[TextPart(text="long prompt"), BP]),
    )
    fitted, warnings = _prepare(request, "google", model, GOOGLE_CAPABILITIES)
    assert _breakpoints(fitted) == [] and warnings == []
    body, encoded = encode_gemini_request(fitted, model, provider="google")
    assert encoded == [] and "cache" not in repr(body).lower()
    assert body["contents"] == [{"role": "user", "parts": [{"text": "long prompt"}]}]


@pytest.mark.parametrize("model", ["gemini-2.0-flash", "gemini-1.5-pro", "gemma-3-27b-it"])
def test_gemini_models_without_implicit_caching_still_report_the_drop(model: str) -> None:
    request = _request(Message(role=MessageRole.USER, content=[TextPart(text="p"), BP]))
    fitted, warnings = _prepare(request, "google", model, GOOGLE_CAPABILITIES)
    assert _breakpoints(fitted) == []
    assert [(w.code, w.details["reason"]) for w in warnings] == [
        ("cache.breakpoint_dropped", "unsupported")
    ]


def test_gemini_has_no_cache_key_or_retention_and_says_so() -> None:
    request = _request(
        Message(role=MessageRole.USER, content=[TextPart(text="p"), BP]),
        cache_key="k",
        cache_retention="extended",
    )
    fitted, warnings = _prepare(request, "google", "gemini-2.5-pro", GOOGLE_CAPABILITIES)
    assert (fitted.cache_key, fitted.cache_retention) == (None, "default")
    assert _codes(warnings) == ["cache.retention_unsupported", "cache.key_dropped"]
    # `none` cannot turn Gemini's implicit cache off: the breakpoints are reported as dropped.
    off = msgspec.structs.replace(request, cache_key=None, cache_retention="none")
    _, warnings = _prepare(off, "google", "gemini-2.5-pro", GOOGLE_CAPABILITIES)
    assert [(w.code, w.details.get("reason")) for w in warnings] == [
        ("cache.retention_unsupported", None),
        ("cache.breakpoint_dropped", "retention_none"),
    ]


def test_an_implicit_cache_declares_no_breakpoints_of_its_own() -> None:
    with pytest.raises(ValueError, match="breakpoints"):
        CacheSupport(implicit=True, breakpoints=4)


def test_a_ttl_not_offered_becomes_the_nearest_offered() -> None:
    request = _request(Message(role=MessageRole.USER, content=[TextPart(text="p"), BP_1H]))
    fitted, warnings = _prepare(request, "openai", "gpt-5.6-sol", OPENAI_CAPABILITIES)
    assert _breakpoints(fitted) == [BP]
    assert warnings[0].code == "cache.ttl_unsupported"
    assert (warnings[0].details["asked"], warnings[0].details["applied"]) == ("1h", "5m")


def test_a_longer_ttl_after_a_shorter_one_is_shortened_for_anthropic() -> None:
    request = _request(
        Message(role=MessageRole.SYSTEM, content=[TextPart(text="s"), BP_1H]),
        Message(role=MessageRole.USER, content=[TextPart(text="a"), BP, TextPart(text="b"), BP_1H]),
    )
    fitted, warnings = _prepare(request, "anthropic", "claude-x", ANTHROPIC_CAPABILITIES)
    assert [b.ttl for b in _breakpoints(fitted)] == ["1h", "5m", "5m"]
    assert _codes(warnings) == ["cache.ttl_downgraded"]
    assert warnings[0].details["paths"] == ["$.messages[1].content[3]"]


def test_retention_none_sends_no_breakpoint() -> None:
    request = _request(
        Message(role=MessageRole.USER, content=[TextPart(text="a"), BP]), cache_retention="none"
    )
    fitted, warnings = _prepare(request, "anthropic", "claude-x", ANTHROPIC_CAPABILITIES)
    assert _breakpoints(fitted) == [] and fitted.cache_retention == "none"
    assert [(w.code, w.details["reason"]) for w in warnings] == [
        ("cache.breakpoint_dropped", "retention_none")
    ]


def test_an_intent_the_target_honours_passes_untouched() -> None:
    request = _request(
        Message(role=MessageRole.SYSTEM, content=[TextPart(text="s"), BP_1H]),
        Message(role=MessageRole.USER, content=[TextPart(text="a"), BP]),
        cache_key="k",
    )
    fitted, warnings = _prepare(request, "openrouter", "anthropic/claude", OPENROUTER_CAPABILITIES)
    assert warnings == [] and fitted.messages == request.messages and fitted.cache_key == "k"


@given(
    ttls=st.lists(st.sampled_from(["5m", "1h"]), max_size=9),
    limit=st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
    longer_first=st.booleans(),
)
def test_the_pass_obeys_every_declared_limit(
    ttls: list[str], limit: int | None, longer_first: bool
) -> None:
    parts: list[Any] = []
    for ttl in ttls:
        parts += [TextPart(text="t"), CacheBreakpoint(ttl=ttl)]
    support = CacheSupport(breakpoints=limit, ttls=("5m", "1h"), longer_ttl_first=longer_first)
    caps = ProviderCapabilities(cache=(support,))
    request = _request(Message(role=MessageRole.USER, content=parts or "x"))
    fitted, _ = _prepare(request, "p", "m", caps)
    kept = [b.ttl for b in _breakpoints(fitted)]
    assert len(kept) == (len(ttls) if limit is None else min(limit, len(ttls)))
    if longer_first:
        assert kept == sorted(kept, key=["1h", "5m"].index)
    again, warnings = _prepare(fitted, "p", "m", caps)
    assert again.messages == fitted.messages and warnings == []  # idempotent


# --------------------------------------------------------------------------- handoff


def test_handoff_keeps_breakpoints_when_joining_system_messages() -> None:
    request = _request(
        Message(role=MessageRole.SYSTEM, content=[TextPart(text="first"), BP_1H]),
        Message(role=MessageRole.USER, content="question"),
        Message(role=MessageRole.SYSTEM, content=[TextPart(text="second"), BP]),
    )
    fitted, warnings = _prepare(request, "anthropic", "claude-x", ANTHROPIC_CAPABILITIES)
    assert fitted.messages[0].parts() == [
        TextPart(text="first"),
        BP_1H,
        TextPart(text="second"),
        BP,
    ]
    assert "handoff.system_merged" in _codes(warnings)
    body, _ = encode_anthropic_request(fitted, "claude-x")
    assert body["system"] == [
        {"type": "text", "text": "first", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
        {"type": "text", "text": "second", "cache_control": {"type": "ephemeral"}},
    ]


def test_a_breakpoint_after_tool_results_is_not_a_misplaced_part() -> None:
    request = _request(
        Message(role=MessageRole.USER, content="read it"),
        Message(role=MessageRole.ASSISTANT, content=[ToolCall(id="c1", name="read")]),
        Message(role=MessageRole.TOOL, content=[ToolResult(tool_call_id="c1", content="data"), BP]),
        tools=[ToolDefinition(name="read")],
    )
    fitted, warnings = _prepare(request, "openai", "gpt-5.6-sol", OPENAI_CAPABILITIES)
    assert warnings == []
    assert fitted.messages[2].parts() == [ToolResult(tool_call_id="c1", content="data"), BP]


# --------------------------------------------------------------------------- markers


def test_a_breakpoint_before_any_content_marks_the_last_tool() -> None:
    request = _request(
        Message(role=MessageRole.SYSTEM, content=[BP_1H, TextPart(text="rules")]),
        Message(role=MessageRole.USER, content="hi"),
        tools=[ToolDefinition(name="a"), ToolDefinition(name="b")],
    )
    fitted, _ = _prepare(request, "anthropic", "claude-x", ANTHROPIC_CAPABILITIES)
    body, warnings = encode_anthropic_request(fitted, "claude-x")
    assert [t.get("cache_control") for t in body["tools"]] == [
        None,
        {"type": "ephemeral", "ttl": "1h"},
    ]
    assert body["system"] == "rules" and warnings == []
    validate_request("anthropic", "/v1/messages", body)
    fitted, _ = _prepare(request, "openrouter", "anthropic/c", OPENROUTER_CAPABILITIES)
    routed, _ = encode_openrouter_request(fitted, "anthropic/c")
    assert routed["tools"][-1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    validate_request("openrouter", "/chat/completions", routed)


def test_with_nothing_before_it_a_breakpoint_is_reported_not_lost() -> None:
    request = _request(Message(role=MessageRole.USER, content=[BP, TextPart(text="hi")]))
    fitted, _ = _prepare(request, "anthropic", "claude-x", ANTHROPIC_CAPABILITIES)
    body, warnings = encode_anthropic_request(fitted, "claude-x")
    assert "cache_control" not in str(body)
    assert [(w.code, w.details["reason"]) for w in warnings] == [
        ("cache.breakpoint_dropped", "nothing_before")
    ]


def test_a_message_of_only_a_breakpoint_marks_the_turn_before() -> None:
    request = _request(
        Message(role=MessageRole.USER, content="long document"),
        Message(role=MessageRole.USER, content=[BP]),
    )
    fitted, _ = _prepare(request, "anthropic", "claude-x", ANTHROPIC_CAPABILITIES)
    body, warnings = encode_anthropic_request(fitted, "claude-x")
    assert warnings == []
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "long document", "cache_control": {"type": "ephemeral"}}
            ],
        }
    ]


# --------------------------------------------------------------------------- the daemon


async def test_bad_cache_input_is_32602_with_its_path_and_nothing_is_sent(
    tmp_path: Path,
) -> None:
    async with loopback_provider() as server:
        config = f'[providers.local]\ntype = "openai_compatible"\nbase_url = "{server.url}/v1"\n'
        async with spawn_daemon(tmp_path, config=config) as d:
            bad = run_params("hi", "local/m1")
            bad["messages"][0]["content"] = [
                {"type": "text", "text": "hi"},
                {"type": "cache_breakpoint", "ttl": "24h"},
            ]
            error = (await d.request("runtime/run", bad))["error"]
            retention = (
                await d.request("runtime/run", run_params("hi", "local/m1", cache_retention=1))
            )["error"]
            ok = await d.request("runtime/run", run_params("still here", "local/m2"))
    assert error["code"] == -32602
    assert error["data"]["path"] == "params.messages[0].content[1].ttl"
    assert retention["code"] == -32602 and retention["data"]["path"] == "params.cache_retention"
    assert server.attempts("m1") == []  # nothing was sent
    assert ok["result"]["output"]["content"]


async def test_echo_reports_the_cache_intent_that_reached_it(tmp_path: Path) -> None:
    params = run_params("hi", cache_key="session-7", cache_retention="extended")
    params["messages"] = [
        {
            "role": "system",
            "content": [
                {"type": "text", "text": "rules"},
                {"type": "cache_breakpoint", "ttl": "1h"},
            ],
        },
        {"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "cache_breakpoint"}]},
    ]
    async with spawn_daemon(tmp_path) as d:
        result = (await d.request("runtime/run", params))["result"]
    assert result["output"]["content"][0]["text"] == (
        "echo: hi [cache: breakpoints 1h,5m; key session-7; retention extended]"
    )
    assert not [w for w in result["warnings"] if w["code"].startswith("cache.")]


async def test_compatible_server_quirks_pass_cache_controls_on(tmp_path: Path) -> None:
    async with loopback_provider() as server:
        config = (
            f'[providers.proxy]\ntype = "openai_compatible"\nbase_url = "{server.url}/v1"\n'
            "[providers.proxy.quirks]\ncache_control = true\ncache_key = true\n"
            f'[providers.plain]\ntype = "openai_compatible"\nbase_url = "{server.url}/v1"\n'
        )
        params: dict[str, Any] = {
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "doc"}, {"type": "cache_breakpoint"}],
                }
            ],
            "cache_key": "k1",
        }
        async with spawn_daemon(tmp_path, config=config) as d:
            await d.request("runtime/run", {"model": "proxy/m1", **params})
            plain = (await d.request("runtime/run", {"model": "plain/m2", **params}))["result"]
    sent = server.attempts("m1")[0].json
    assert sent["prompt_cache_key"] == "k1"
    assert sent["messages"][0]["content"] == [
        {"type": "text", "text": "doc", "cache_control": {"type": "ephemeral"}}
    ]
    bare = server.attempts("m2")[0].json
    assert "prompt_cache_key" not in bare and "cache_control" not in str(bare)
    assert {"cache.key_dropped", "cache.breakpoint_dropped"} <= {
        w["code"] for w in plain["warnings"]
    }


def test_openai_marks_an_image_and_openrouter_the_text_before_it() -> None:
    from provider_runtime.core.types import ImagePart
    from provider_runtime.providers.openai import encode_openai_request

    request = _request(
        Message(
            role=MessageRole.USER,
            content=[TextPart(text="look"), ImagePart(url="https://example.com/a.png"), BP],
        )
    )
    fitted, _ = _prepare(request, "openai", "gpt-5.6-sol", OPENAI_CAPABILITIES)
    body, warnings = encode_openai_request(fitted, "gpt-5.6-sol")
    assert body["messages"][0]["content"][1]["prompt_cache_breakpoint"] == {"mode": "explicit"}
    assert "prompt_cache_breakpoint" not in body["messages"][0]["content"][0]
    assert warnings == []
    validate_request("openai", "/chat/completions", body)
    fitted, _ = _prepare(request, "openrouter", "anthropic/c", OPENROUTER_CAPABILITIES)
    routed, _ = encode_openrouter_request(fitted, "anthropic/c")
    assert routed["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in routed["messages"][0]["content"][1]
    validate_request("openrouter", "/chat/completions", routed)


# ---------------------------------------------------------------- handoff, for all inputs


@st.composite
def _with_breakpoints(draw: Any) -> list[Message]:
    out: list[Message] = []
    for message in draw(conversations()):
        parts = message.parts()
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(parts)))
            parts.insert(at, CacheBreakpoint(ttl=draw(st.sampled_from(["5m", "1h"]))))
        out.append(msgspec.structs.replace(message, content=parts))
    return out


def _without_breakpoints(messages: list[Message]) -> list[Message]:
    stripped = [
        msgspec.structs.replace(
            m, content=[p for p in m.parts() if not isinstance(p, CacheBreakpoint)]
        )
        for m in messages
    ]
    return [m for m in stripped if m.parts()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_with_breakpoints(), st.sampled_from(["openai", "anthropic", "openrouter"]))
def test_handoff_never_loses_a_breakpoint_and_stays_idempotent(
    messages: list[Message], name: str
) -> None:
    target = TARGETS[name]
    out, _ = normalize_handoff_messages(messages, target)
    asked = [p for m in messages for p in m.parts() if isinstance(p, CacheBreakpoint)]
    kept = [p for m in out for p in m.parts() if isinstance(p, CacheBreakpoint)]
    assert sorted(b.ttl for b in kept) == sorted(b.ttl for b in asked)
    again, warnings = normalize_handoff_messages(out, target)
    assert again == out and warnings == []
    assert_valid(_without_breakpoints(out), target)


def test_a_counted_chat_body_with_cache_markers_is_a_valid_count_request() -> None:
    """Markers turn a tool answer and an assistant text into part lists (Chat Completions);
    counting that body on /responses/input_tokens must still send valid items."""
    from provider_runtime.providers.openai import encode_openai_request
    from provider_runtime.providers.openai.count import encode_input_tokens_body

    request = _request(
        Message(role=MessageRole.USER, content="read it"),
        Message(role=MessageRole.ASSISTANT, content=[TextPart(text="reading"), BP]),
        Message(role=MessageRole.ASSISTANT, content=[ToolCall(id="c1", name="read")]),
        Message(role=MessageRole.TOOL, content=[ToolResult(tool_call_id="c1", content="data"), BP]),
        tools=[ToolDefinition(name="read")],
    )
    fitted, _ = _prepare(request, "openai", "gpt-5.6-sol", OPENAI_CAPABILITIES)
    chat, _ = encode_openai_request(fitted, "gpt-5.6-sol")
    assert isinstance(chat["messages"][-1]["content"], list)  # the marked tool answer
    body = encode_input_tokens_body(dict(chat))
    validate_request("openai", "/responses/input_tokens", body)
    outputs = [item for item in body["input"] if item["type"] == "function_call_output"]
    assert outputs[0]["output"] == "data"
