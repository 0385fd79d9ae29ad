"""Handoff normalization, rule by rule, on realistic cross-provider conversations.

Each test states the rule of protocol.md §5 it checks; the expected messages are written out by
hand from the rule, not copied from the output.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from provider_runtime.core.errors import ConfigError
from provider_runtime.core.types import (
    ImagePart,
    Message,
    MessageRole,
    ProviderCapabilities,
    ProviderRuntimeWarning,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolResult,
)
from provider_runtime.handoff import (
    HANDOFF_WARNING_CODES,
    HandoffTarget,
    normalize_handoff_messages,
)
from tests.openapi import validate_request
from tests.test_handoff_properties import (
    ANTHROPIC,
    OPENAI,
    OPENAI_CAPS,
    OPENROUTER,
    assert_valid,
)

SYSTEM, USER, ASSISTANT, TOOL = (
    MessageRole.SYSTEM,
    MessageRole.USER,
    MessageRole.ASSISTANT,
    MessageRole.TOOL,
)
SONNET = ("anthropic", "claude-sonnet-4-5")
NO_RESULT = "No result was recorded for this tool call."
NO_VISION = "[image omitted: target model does not accept images]"


def msg(role: MessageRole, *content: Any) -> Message:
    if len(content) == 1 and isinstance(content[0], str):
        return Message(role=role, content=content[0])
    return Message(role=role, content=list(content))


def thinking(text: str = "The user wants the weather; call the tool.", *, origin=SONNET):
    return ReasoningPart(
        text=text, signature="EqQBCkYIBxgCKkBsig", provider=origin[0], model=origin[1]
    )


def redacted(origin=SONNET) -> ReasoningPart:
    return ReasoningPart(
        redacted=True, data="EmwKAhgBEgy3va3p", provider=origin[0], model=origin[1]
    )


def weather_call(call_id: str = "toolu_01A09q90qw90lq917835lq9") -> ToolCall:
    return ToolCall(id=call_id, name="get_weather", arguments={"location": "Paris"})


def result(call_id: str, content: Any = "18°C, cloudy", **kw: Any) -> ToolResult:
    return ToolResult(tool_call_id=call_id, content=content, **kw)


def normalize(messages: list[Message], target: HandoffTarget):
    out, warnings = normalize_handoff_messages(messages, target)
    assert_valid(out, target)
    again, second = normalize_handoff_messages(out, target)
    assert (again, second) == (out, []), "not idempotent"
    return out, warnings


def codes(warnings: list[ProviderRuntimeWarning]) -> list[str]:
    return [w.code for w in warnings]


def only(warnings: list[ProviderRuntimeWarning], code: str) -> ProviderRuntimeWarning:
    found = [w for w in warnings if w.code == code]
    assert len(found) == 1, codes(warnings)
    return found[0]


def anthropic_tool_turn() -> list[Message]:
    """A Claude turn with extended thinking and a tool call, and the tool's answer."""
    return [
        msg(SYSTEM, "You are a concise assistant."),
        msg(USER, "What's the weather in Paris?"),
        msg(ASSISTANT, thinking(), TextPart(text="Let me check."), weather_call()),
        msg(TOOL, result("toolu_01A09q90qw90lq917835lq9")),
        msg(ASSISTANT, "It is 18°C and cloudy in Paris."),
        msg(USER, "Thanks! And tomorrow?"),
    ]


# --------------------------------------------------------------------------- reasoning


def test_anthropic_thinking_then_switch_to_openai_drops_reasoning_keeps_tools() -> None:
    messages = anthropic_tool_turn()
    out, warnings = normalize(messages, OPENAI)
    assert out[2] == msg(ASSISTANT, TextPart(text="Let me check."), weather_call())
    assert out[3] is messages[3]  # the result already follows its call under a fitting id
    assert [m is o for m, o in zip(messages, out, strict=True)] == [
        True, True, False, True, True, True,
    ]  # fmt: skip
    dropped = only(warnings, "handoff.reasoning_dropped")
    assert dropped.details == {
        "message_index": 2,
        "part_index": 0,
        "reason": "target_cannot_replay",
        "provider": "anthropic",
        "model": "claude-sonnet-4-5",
        "redacted": False,
    }
    assert codes(warnings) == ["handoff.reasoning_dropped"]


def test_same_anthropic_model_replays_thinking_with_signature_untouched() -> None:
    messages = anthropic_tool_turn()
    messages[2] = msg(ASSISTANT, thinking(), redacted(), weather_call())
    out, warnings = normalize(messages, ANTHROPIC)
    assert warnings == []
    assert all(a is b for a, b in zip(out, messages, strict=True))
    assert out[2].parts()[0].signature == "EqQBCkYIBxgCKkBsig"


def test_other_anthropic_model_drops_thinking_and_redacted_thinking() -> None:
    messages = anthropic_tool_turn()
    messages[2] = msg(ASSISTANT, thinking(), redacted(), weather_call())
    opus = msgspec.structs.replace(ANTHROPIC, model="claude-opus-4-1")
    out, warnings = normalize(messages, opus)
    assert out[2] == msg(ASSISTANT, weather_call())
    dropped = [w for w in warnings if w.code == "handoff.reasoning_dropped"]
    assert [(w.details["part_index"], w.details["redacted"]) for w in dropped] == [
        (0, False),
        (1, True),
    ]
    assert {w.details["reason"] for w in dropped} == {"other_model"}


def test_reasoning_without_origin_is_treated_as_foreign() -> None:
    part = ReasoningPart(text="hmm", signature="sig")
    out, warnings = normalize(
        [msg(USER, "hi"), msg(ASSISTANT, part, TextPart(text="Hello"))], ANTHROPIC
    )
    assert out[1] == msg(ASSISTANT, TextPart(text="Hello"))
    assert only(warnings, "handoff.reasoning_dropped").details["reason"] == "unknown_origin"


def test_openrouter_replays_reasoning_only_to_the_same_upstream_model() -> None:
    origin = ("openrouter", "anthropic/claude-sonnet-4.5")
    messages = [msg(USER, "hi"), msg(ASSISTANT, thinking(origin=origin), TextPart(text="Hello"))]
    out, warnings = normalize(messages, OPENROUTER)
    assert out == messages and warnings == []
    other = msgspec.structs.replace(OPENROUTER, model="openai/gpt-5")
    out, warnings = normalize(messages, other)
    assert out[1] == msg(ASSISTANT, TextPart(text="Hello"))
    assert codes(warnings) == ["handoff.reasoning_dropped"]


def test_message_of_only_foreign_reasoning_is_removed() -> None:
    messages = [msg(USER, "hi"), msg(ASSISTANT, thinking()), msg(ASSISTANT, "Hello")]
    out, warnings = normalize(messages, OPENAI)
    assert out == [messages[0], messages[2]]
    assert codes(warnings) == ["handoff.reasoning_dropped", "handoff.empty_message_removed"]
    assert warnings[1].details == {"message_index": 1, "role": "assistant"}


# --------------------------------------------------------------------------- tool-call ids


def _hashed(old: str, occurrence: int = 0) -> str:
    return "call_" + hashlib.sha256(f"{old}\x00{occurrence}\x000".encode()).hexdigest()[:24]


def test_seventy_character_ids_fit_anthropic_but_are_hashed_for_openai() -> None:
    long_id = "call_" + "A1b2C3d4E5" * 6 + "Z" * 5  # 70 characters, all safe
    assert len(long_id) == 70
    messages = [
        msg(USER, "Weather?"),
        msg(ASSISTANT, weather_call(long_id)),
        msg(TOOL, result(long_id)),
    ]
    out, warnings = normalize(messages, ANTHROPIC)
    assert out == messages and warnings == []

    out, warnings = normalize(messages, OPENAI)
    new_id = _hashed(long_id)
    assert re.fullmatch(r"call_[0-9a-f]{24}", new_id)
    assert out[1:] == [msg(ASSISTANT, weather_call(new_id)), msg(TOOL, result(new_id))]
    assert only(warnings, "handoff.tool_call_id_rewritten").details == {
        "message_index": 1,
        "part_index": 0,
        "old_id": long_id,
        "new_id": new_id,
        "reason": "too_long",
    }


def test_ids_with_dots_and_colons_are_sanitized_for_anthropic_only() -> None:
    # Kimi/Moonshot-style ids through an OpenAI-compatible server, then handed to Claude.
    messages = [
        msg(USER, "Look it up"),
        msg(ASSISTANT, weather_call("functions.get_weather:0"), weather_call("fc:1.x")),
        msg(TOOL, result("functions.get_weather:0"), result("fc:1.x", "20°C")),
    ]
    out, _ = normalize(messages, OPENAI)
    assert out == messages  # OpenAI has no character rule
    out, warnings = normalize(messages, ANTHROPIC)
    assert out[1:] == [
        msg(ASSISTANT, weather_call("functions_get_weather_0"), weather_call("fc_1_x")),
        msg(TOOL, result("functions_get_weather_0"), result("fc_1_x", "20°C")),
    ]
    assert [w.details["reason"] for w in warnings] == ["invalid_characters"] * 2


def test_sanitized_id_colliding_with_another_id_gets_a_hash() -> None:
    messages = [
        msg(USER, "Two lookups"),
        msg(ASSISTANT, weather_call("a.b"), weather_call("a_b")),
        msg(TOOL, result("a.b", "1"), result("a_b", "2")),
    ]
    out, warnings = normalize(messages, ANTHROPIC)
    assert out[1:] == [
        msg(ASSISTANT, weather_call(_hashed("a.b")), weather_call("a_b")),
        msg(TOOL, result(_hashed("a.b"), "1"), result("a_b", "2")),
    ]
    assert only(warnings, "handoff.tool_call_id_rewritten").details["old_id"] == "a.b"


def test_repeated_ids_across_turns_are_made_unique_and_results_follow() -> None:
    # Some OpenAI-compatible servers number calls per response: "call_0" every turn.
    messages = [
        msg(USER, "Paris?"),
        msg(ASSISTANT, weather_call("call_0")),
        msg(TOOL, result("call_0", "18°C")),
        msg(USER, "Rome?"),
        msg(ASSISTANT, weather_call("call_0")),
        msg(TOOL, result("call_0", "25°C")),
    ]
    out, warnings = normalize(messages, OPENAI)
    second = _hashed("call_0", occurrence=1)
    assert out[4:] == [msg(ASSISTANT, weather_call(second)), msg(TOOL, result(second, "25°C"))]
    assert out[:4] == messages[:4]
    assert only(warnings, "handoff.tool_call_id_rewritten").details["reason"] == "duplicate"


def test_empty_id_is_replaced() -> None:
    messages = [msg(USER, "x"), msg(ASSISTANT, weather_call("")), msg(TOOL, result(""))]
    out, warnings = normalize(messages, OPENAI)
    assert out[2] == msg(TOOL, result(_hashed("")))
    assert only(warnings, "handoff.tool_call_id_rewritten").details["reason"] == "empty"


def test_short_alphanumeric_pattern_gets_bare_hex_ids() -> None:
    # Mistral-style rule: exactly nine letters or digits.
    caps = ProviderCapabilities(tool_call_id_pattern="^[a-zA-Z0-9]{9}$", tool_call_id_max_length=9)
    target = HandoffTarget(provider="mistral", model="mistral-large", capabilities=caps)
    messages = [msg(USER, "x"), msg(ASSISTANT, weather_call("call_1")), msg(TOOL, result("call_1"))]
    out, _ = normalize(messages, target)
    expected = hashlib.sha256(b"call_1\x000\x000").hexdigest()[:9]
    assert out[1] == msg(ASSISTANT, weather_call(expected))


def test_unsatisfiable_pattern_is_reported() -> None:
    caps = ProviderCapabilities(tool_call_id_pattern="^fixed$")
    target = HandoffTarget(provider="odd", model="m", capabilities=caps)
    messages = [msg(USER, "x"), msg(ASSISTANT, weather_call("call_1")), msg(TOOL, result("call_1"))]
    _, warnings = normalize_handoff_messages(messages, target)
    unfit = only(warnings, "handoff.tool_call_id_unfit")
    assert unfit.details["old_id"] == "call_1"


def test_invalid_pattern_is_a_config_error() -> None:
    caps = ProviderCapabilities(tool_call_id_pattern="[unclosed")
    target = HandoffTarget(provider="odd", model="m", capabilities=caps)
    with pytest.raises(ConfigError, match="tool_call_id_pattern"):
        normalize_handoff_messages([msg(ASSISTANT, weather_call("x"))], target)


# --------------------------------------------------------------------------- calls and results


def test_dangling_call_before_a_user_turn_gets_a_synthetic_error_result() -> None:
    messages = [
        msg(USER, "Weather?"),
        msg(ASSISTANT, weather_call("call_1")),
        msg(USER, "Never mind, tell me a joke."),
    ]
    out, warnings = normalize(messages, ANTHROPIC)
    assert out == [
        messages[0],
        messages[1],
        msg(TOOL, result("call_1", NO_RESULT, is_error=True)),
        messages[2],
    ]
    assert only(warnings, "handoff.synthetic_tool_result").details == {
        "message_index": 1,
        "part_index": 0,
        "tool_call_id": "call_1",
        "name": "get_weather",
    }


def test_dangling_call_at_the_end_of_the_conversation_is_answered_too() -> None:
    messages = [
        msg(USER, "Weather?"),
        msg(ASSISTANT, weather_call("call_1"), weather_call("call_2")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out[2] == msg(
        TOOL, result("call_1", NO_RESULT, is_error=True), result("call_2", NO_RESULT, is_error=True)
    )
    assert codes(warnings) == ["handoff.synthetic_tool_result"] * 2


def test_partial_results_keep_the_real_ones_and_fill_the_gap() -> None:
    messages = [
        msg(USER, "Paris and Rome?"),
        msg(ASSISTANT, weather_call("call_1"), weather_call("call_2")),
        msg(TOOL, result("call_2", "25°C")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out[2] == msg(TOOL, result("call_1", NO_RESULT, is_error=True), result("call_2", "25°C"))
    assert codes(warnings) == ["handoff.synthetic_tool_result"]


def test_orphan_result_becomes_user_text() -> None:
    messages = [
        msg(USER, "Hi"),
        msg(TOOL, result("call_gone", "42", is_error=True)),
        msg(ASSISTANT, "Hello!"),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out == [
        messages[0],
        msg(USER, TextPart(text="[tool error id=call_gone]\n42")),
        messages[2],
    ]
    assert only(warnings, "handoff.orphan_tool_result").details == {
        "message_index": 1,
        "part_index": 0,
        "tool_call_id": "call_gone",
        "reason": "no_earlier_call",
    }


def test_second_result_for_one_call_is_an_orphan() -> None:
    messages = [
        msg(USER, "x"),
        msg(ASSISTANT, weather_call("call_1")),
        msg(TOOL, result("call_1", "first")),
        msg(TOOL, result("call_1", "again")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out[2] == messages[2]
    assert out[3] == msg(USER, TextPart(text="[tool result id=call_1]\nagain"))
    assert only(warnings, "handoff.orphan_tool_result").details["reason"] == "duplicate_result"


def test_result_before_its_call_does_not_count() -> None:
    messages = [msg(USER, "x"), msg(TOOL, result("call_1")), msg(ASSISTANT, weather_call("call_1"))]
    out, warnings = normalize(messages, OPENAI)
    assert codes(warnings) == ["handoff.orphan_tool_result", "handoff.synthetic_tool_result"]
    assert out[-1] == msg(TOOL, result("call_1", NO_RESULT, is_error=True))


def test_result_after_a_user_message_moves_back_behind_its_call() -> None:
    messages = [
        msg(USER, "Weather?"),
        msg(ASSISTANT, weather_call("call_1")),
        msg(USER, "Still there?"),
        msg(TOOL, result("call_1")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out == [messages[0], messages[1], msg(TOOL, result("call_1")), messages[2]]
    assert only(warnings, "handoff.tool_result_moved").details == {
        "message_index": 3,
        "part_index": 0,
        "tool_call_id": "call_1",
        "reason": "not_after_call",
    }


def test_results_out_of_call_order_are_reordered() -> None:
    messages = [
        msg(USER, "Paris and Rome?"),
        msg(ASSISTANT, weather_call("call_1"), weather_call("call_2")),
        msg(TOOL, result("call_2", "25°C")),
        msg(TOOL, result("call_1", "18°C")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out[2:] == [msg(TOOL, result("call_1", "18°C"), result("call_2", "25°C"))]
    moved = [w for w in warnings if w.code == "handoff.tool_result_moved"]
    assert [(w.details["tool_call_id"], w.details["reason"]) for w in moved] == [
        ("call_1", "reordered"),
        ("call_2", "reordered"),
    ]


@pytest.mark.parametrize("target", [OPENAI, ANTHROPIC, OPENROUTER], ids=lambda t: t.provider)
def test_anthropic_style_results_opening_the_next_user_message_are_in_place(
    target: HandoffTarget,
) -> None:
    # §5: a result may sit in the user message right after its call, as Anthropic-native
    # histories have it; that is directly after the call, so nothing moves and nothing warns.
    messages = [
        msg(USER, "Paris and Rome?"),
        msg(ASSISTANT, weather_call("toolu_1"), weather_call("toolu_2")),
        msg(USER, result("toolu_1"), result("toolu_2", "25°C"), TextPart(text="Briefly.")),
    ]
    out, warnings = normalize(messages, target)
    assert out == messages
    assert warnings == []


def test_results_split_between_tool_and_user_message_are_in_place() -> None:
    messages = [
        msg(USER, "Paris and Rome?"),
        msg(ASSISTANT, weather_call("call_1"), weather_call("call_2")),
        msg(TOOL, result("call_1")),
        msg(USER, result("call_2", "25°C"), TextPart(text="Briefly.")),
    ]
    for target in (OPENAI, ANTHROPIC):
        out, warnings = normalize(messages, target)
        assert out == messages and warnings == []


def test_partial_results_in_the_next_user_message_stay_unreported_as_moves() -> None:
    messages = [
        msg(USER, "Paris and Rome?"),
        msg(ASSISTANT, weather_call("toolu_1"), weather_call("toolu_2")),
        msg(USER, result("toolu_1"), TextPart(text="Briefly.")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out[2:] == [
        msg(TOOL, result("toolu_1"), result("toolu_2", NO_RESULT, is_error=True)),
        msg(USER, TextPart(text="Briefly.")),
    ]
    assert codes(warnings) == ["handoff.synthetic_tool_result"]


def test_results_in_the_next_user_message_out_of_call_order_are_reordered() -> None:
    messages = [
        msg(USER, "Paris and Rome?"),
        msg(ASSISTANT, weather_call("toolu_1"), weather_call("toolu_2")),
        msg(USER, result("toolu_2", "25°C"), result("toolu_1")),
    ]
    out, warnings = normalize(messages, ANTHROPIC)
    assert out[2:] == [msg(TOOL, result("toolu_1"), result("toolu_2", "25°C"))]
    moved = [(w.details["tool_call_id"], w.details["reason"]) for w in warnings]
    assert moved == [("toolu_1", "reordered"), ("toolu_2", "reordered")]


def test_a_result_after_user_text_is_not_in_place() -> None:
    messages = [
        msg(USER, "Weather?"),
        msg(ASSISTANT, weather_call("toolu_1")),
        msg(USER, TextPart(text="Here it is:"), result("toolu_1")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out[2:] == [msg(TOOL, result("toolu_1")), msg(USER, TextPart(text="Here it is:"))]
    assert only(warnings, "handoff.tool_result_moved").details == {
        "message_index": 2,
        "part_index": 1,
        "tool_call_id": "toolu_1",
        "reason": "not_after_call",
    }


def test_one_tool_message_per_result_is_kept_inline_and_merged_for_anthropic() -> None:
    messages = [
        msg(USER, "Paris and Rome?"),
        msg(ASSISTANT, weather_call("call_1"), weather_call("call_2")),
        msg(TOOL, result("call_1", "18°C")),
        msg(TOOL, result("call_2", "25°C")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out == messages and warnings == []
    out, warnings = normalize(messages, ANTHROPIC)
    assert out[2:] == [msg(TOOL, result("call_1", "18°C"), result("call_2", "25°C"))]
    assert only(warnings, "handoff.messages_merged").details == {
        "message_indices": [2, 3],
        "role": "tool",
    }


def test_text_in_a_tool_message_moves_to_a_user_message_after_the_results() -> None:
    messages = [
        msg(USER, "x"),
        msg(ASSISTANT, weather_call("call_1")),
        msg(TOOL, TextPart(text="note"), result("call_1")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out[2:] == [msg(TOOL, result("call_1")), msg(USER, TextPart(text="note"))]
    assert codes(warnings) == ["handoff.misplaced_part"]


def test_tool_call_outside_an_assistant_message_becomes_text() -> None:
    messages = [msg(USER, weather_call("call_1"), TextPart(text="what does this do?"))]
    out, warnings = normalize(messages, OPENAI)
    assert out == [
        msg(
            USER,
            TextPart(text='[tool call get_weather id=call_1] {"location":"Paris"}'),
            TextPart(text="what does this do?"),
        )
    ]
    assert only(warnings, "handoff.misplaced_part").details["tool_call_id"] == "call_1"


# --------------------------------------------------------------------------- targets without tools


def test_target_without_tools_gets_calls_and_results_as_text() -> None:
    caps = msgspec.structs.replace(OPENAI_CAPS, tools=False)
    target = HandoffTarget(provider="local", model="tiny", capabilities=caps)
    call = ToolCall(id="call_1", name="lookup", arguments={"b": 2, "a": [1]})
    messages = [
        msg(USER, "x"),
        msg(ASSISTANT, TextPart(text="Looking."), call),
        msg(TOOL, result("call_1", "found it")),
    ]
    out, warnings = normalize(messages, target)
    assert out == [
        messages[0],
        msg(
            ASSISTANT,
            TextPart(text="Looking."),
            TextPart(text='[tool call lookup id=call_1] {"a":[1],"b":2}'),
        ),
        msg(USER, TextPart(text="[tool result id=call_1]\nfound it")),
    ]
    assert codes(warnings) == ["handoff.tools_as_text"] * 2


def test_raw_arguments_are_written_verbatim() -> None:
    caps = msgspec.structs.replace(OPENAI_CAPS, tools=False)
    target = HandoffTarget(provider="local", model="tiny", capabilities=caps)
    call = ToolCall(id="c", name="f", raw_arguments='{"a": 1,')
    out, _ = normalize([msg(USER, "x"), msg(ASSISTANT, call)], target)
    assert out[1] == msg(ASSISTANT, TextPart(text='[tool call f id=c] {"a": 1,'))


# --------------------------------------------------------------------------- system and turns


def test_multiple_system_messages_become_one_leading_system_for_anthropic() -> None:
    messages = [
        msg(SYSTEM, "You are terse."),
        msg(USER, "Hi"),
        msg(SYSTEM, "Answer in French."),
        msg(ASSISTANT, "Bonjour."),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out == messages and warnings == []
    out, warnings = normalize(messages, ANTHROPIC)
    assert out == [
        msg(SYSTEM, TextPart(text="You are terse.\n\nAnswer in French.")),
        messages[1],
        messages[3],
    ]
    assert only(warnings, "handoff.system_merged").details == {"message_indices": [0, 2]}


def test_a_single_late_system_message_moves_to_the_front() -> None:
    messages = [msg(USER, "Hi"), msg(SYSTEM, "Be brief."), msg(ASSISTANT, "Hello.")]
    out, warnings = normalize(messages, ANTHROPIC)
    assert out == [messages[1], messages[0], messages[2]]
    assert codes(warnings) == ["handoff.system_merged"]


def test_consecutive_user_messages_merge_only_where_alternation_is_required() -> None:
    messages = [
        msg(USER, "First question."),
        msg(USER, TextPart(text="Second question."), ImagePart(url="https://example.com/a.png")),
        msg(ASSISTANT, "Answer."),
        msg(ASSISTANT, "More."),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out == messages and warnings == []
    out, warnings = normalize(messages, ANTHROPIC)
    assert out == [
        msg(
            USER,
            TextPart(text="First question."),
            TextPart(text="Second question."),
            ImagePart(url="https://example.com/a.png"),
        ),
        msg(ASSISTANT, TextPart(text="Answer."), TextPart(text="More.")),
    ]
    assert [w.details for w in warnings] == [
        {"message_indices": [0, 1], "role": "user"},
        {"message_indices": [2, 3], "role": "assistant"},
    ]


def test_tool_results_then_user_text_stay_two_messages_for_anthropic() -> None:
    messages = [
        msg(USER, "Weather?"),
        msg(ASSISTANT, weather_call("toolu_1")),
        msg(TOOL, result("toolu_1")),
        msg(USER, "Answer briefly."),
    ]
    out, warnings = normalize(messages, ANTHROPIC)
    assert out == messages and warnings == []


def test_leading_assistant_gets_a_continued_user_message_for_anthropic() -> None:
    messages = [msg(SYSTEM, "Be kind."), msg(ASSISTANT, "Welcome back!"), msg(USER, "Thanks")]
    out, warnings = normalize(messages, OPENAI)
    assert out == messages and warnings == []
    out, warnings = normalize(messages, ANTHROPIC)
    assert out == [messages[0], msg(USER, TextPart(text="(continued)")), *messages[1:]]
    assert only(warnings, "handoff.leading_assistant").details == {"message_index": 1}


# --------------------------------------------------------------------------- images and empties


def test_images_to_a_model_without_vision_become_placeholders() -> None:
    image = ImagePart(data="iVBORw0KGgo=", media_type="image/png")
    messages = [
        msg(USER, TextPart(text="What is this?"), image),
        msg(ASSISTANT, weather_call("call_1")),
        msg(TOOL, result("call_1", [TextPart(text="chart:"), image])),
    ]
    blind = msgspec.structs.replace(OPENAI, vision=False)
    out, warnings = normalize(messages, blind)
    assert out[0] == msg(USER, TextPart(text="What is this?"), TextPart(text=NO_VISION))
    assert out[2] == msg(
        TOOL, result("call_1", [TextPart(text="chart:"), TextPart(text=NO_VISION)])
    )
    removed = [w for w in warnings if w.code == "handoff.image_removed"]
    assert [(w.details["message_index"], w.details["reason"]) for w in removed] == [
        (0, "no_vision"),
        (2, "no_vision"),
    ]


def test_vision_comes_from_the_model_then_the_provider() -> None:
    messages = [msg(USER, ImagePart(url="https://example.com/a.png"))]
    blind_caps = msgspec.structs.replace(OPENAI_CAPS, vision=False)
    cases = {
        (True, None): [],  # unknown model: the provider's capability decides
        (True, True): [],
        (True, False): ["handoff.image_removed"],  # the model cannot see, whatever the API
        (False, True): ["handoff.image_removed"],  # the API cannot carry images
        (False, None): ["handoff.image_removed"],
    }
    for (provider_vision, model_vision), expected in cases.items():
        caps = OPENAI_CAPS if provider_vision else blind_caps
        target = msgspec.structs.replace(OPENAI, capabilities=caps, vision=model_vision)
        assert codes(normalize(messages, target)[1]) == expected, (provider_vision, model_vision)


def test_image_in_an_assistant_message_becomes_a_placeholder_even_with_vision() -> None:
    messages = [msg(USER, "Draw"), msg(ASSISTANT, ImagePart(url="https://example.com/a.png"))]
    out, warnings = normalize(messages, ANTHROPIC)
    assert out[1] == msg(
        ASSISTANT, TextPart(text="[image omitted: images are only accepted in user messages]")
    )
    assert only(warnings, "handoff.image_removed").details["reason"] == "role"


def test_empty_messages_and_blank_text_parts_are_removed() -> None:
    messages = [
        msg(USER, ""),
        msg(USER, TextPart(text="  "), TextPart(text="Hi")),
        Message(role=ASSISTANT, content=[]),
        msg(ASSISTANT, TextPart(text=""), weather_call("call_1")),
        msg(TOOL, result("call_1", "")),
    ]
    out, warnings = normalize(messages, OPENAI)
    assert out == [
        msg(USER, TextPart(text="Hi")),
        msg(ASSISTANT, weather_call("call_1")),
        messages[4],  # an empty result is still the call's answer
    ]
    assert [(w.code, w.details.get("message_index")) for w in warnings] == [
        ("handoff.empty_message_removed", 0),
        ("handoff.empty_text_removed", 1),
        ("handoff.empty_message_removed", 2),
        ("handoff.empty_text_removed", 3),
    ]


def test_conversation_that_needs_nothing_comes_back_as_is() -> None:
    messages = anthropic_tool_turn()[:2]
    for target in (OPENAI, ANTHROPIC, OPENROUTER):
        out, warnings = normalize_handoff_messages(messages, target)
        assert warnings == [] and all(a is b for a, b in zip(out, messages, strict=True))


# --------------------------------------------------------------------------- the whole contract


def _to_anthropic_body(messages: list[Message]) -> dict[str, Any]:
    """A minimal Messages API body, folding tool messages into user turns as the adapter does."""
    system = ""
    turns: list[dict[str, Any]] = []
    for m in messages:
        if m.role == SYSTEM:
            system = "".join(p.text for p in m.parts())
            continue
        blocks: list[dict[str, Any]] = []
        for p in m.parts():
            if isinstance(p, TextPart):
                blocks.append({"type": "text", "text": p.text})
            elif isinstance(p, ToolCall):
                blocks.append(
                    {"type": "tool_use", "id": p.id, "name": p.name, "input": p.arguments}
                )
            elif isinstance(p, ToolResult):
                blocks.append(
                    {"type": "tool_result", "tool_use_id": p.tool_call_id, "content": p.content}
                )
            elif isinstance(p, ReasoningPart):
                blocks.append({"type": "thinking", "thinking": p.text, "signature": p.signature})
        role = "assistant" if m.role == ASSISTANT else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += blocks
        else:
            turns.append({"role": role, "content": blocks})
    body: dict[str, Any] = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": turns}
    if system:
        body["system"] = system
    return body


def test_mixed_history_handed_to_claude_matches_the_official_request_schema() -> None:
    messages = [
        msg(USER, "Plan a trip."),
        msg(
            ASSISTANT,
            thinking(origin=("openrouter", "deepseek/deepseek-r1")),
            weather_call("fc.1:x"),
        ),
        msg(SYSTEM, "Prefer trains."),
        msg(TOOL, result("fc.1:x")),
        msg(ASSISTANT, weather_call("call_" + "7" * 70)),
        msg(USER, "And hotels?"),
    ]
    out, warnings = normalize(messages, ANTHROPIC)
    body = _to_anthropic_body(out)
    validate_request("anthropic", "/v1/messages", body)
    roles = [t["role"] for t in body["messages"]]
    assert roles == ["user", "assistant", "user", "assistant", "user"]
    assert set(codes(warnings)) == {
        "handoff.reasoning_dropped",
        "handoff.tool_call_id_rewritten",
        "handoff.synthetic_tool_result",
        "handoff.system_merged",
        "handoff.tool_result_moved",  # the system message sat between the call and its result
    }


def test_validity_checker_rejects_what_the_rules_forbid() -> None:
    bad = {
        "dangling call": [msg(USER, "x"), msg(ASSISTANT, weather_call("c")), msg(USER, "y")],
        "foreign reasoning": [msg(USER, "x"), msg(ASSISTANT, thinking(origin=("openai", "o3")))],
        "two users": [msg(USER, "x"), msg(USER, "y")],
        "late system": [msg(USER, "x"), msg(SYSTEM, "s")],
        "orphan": [msg(USER, "x"), msg(TOOL, result("c"))],
        "orphan in user": [msg(USER, "x"), msg(ASSISTANT, "y"), msg(USER, result("c"))],
        "result after user text": [
            msg(USER, "x"),
            msg(ASSISTANT, weather_call("c")),
            msg(USER, TextPart(text="y"), result("c")),
        ],
        "bad id": [msg(USER, "x"), msg(ASSISTANT, weather_call("a.b")), msg(TOOL, result("a.b"))],
        "blank": [msg(USER, " ")],
    }
    for name, messages in bad.items():
        with pytest.raises(AssertionError):
            assert_valid(messages, ANTHROPIC)
        out, _ = normalize_handoff_messages(messages, ANTHROPIC)
        assert_valid(out, ANTHROPIC), name


def test_every_warning_code_is_documented_in_protocol_md() -> None:
    text = (Path(__file__).resolve().parents[1] / "protocol.md").read_text(encoding="utf-8")
    section = text.split("## 5. Handoff normalization", 1)[1].split("\n## 6.", 1)[0]
    table = text.split("## 9. Warning codes", 1)[1]
    for code in HANDOFF_WARNING_CODES:
        assert f"| `{code}` |" in table, f"{code} missing from the §9 table"
        assert f"`{code}`" in section, f"{code} missing from §5"


def _example_block(section: str, name: str) -> Any:
    marker = f"<!-- handoff-example: {name} -->\n```json\n"
    return msgspec.json.decode(section.split(marker, 1)[1].split("\n```", 1)[0])


def test_protocol_md_example_is_what_the_code_does() -> None:
    text = (Path(__file__).resolve().parents[1] / "protocol.md").read_text(encoding="utf-8")
    section = text.split("## 5. Handoff normalization", 1)[1].split("\n## 6.", 1)[0]
    messages = msgspec.convert(_example_block(section, "input"), list[Message])
    expected = msgspec.convert(_example_block(section, "output"), list[Message])
    warnings = msgspec.convert(_example_block(section, "warnings"), list[ProviderRuntimeWarning])
    opus = msgspec.structs.replace(ANTHROPIC, model="claude-opus-4-1")
    assert normalize(messages, opus) == (expected, warnings)
