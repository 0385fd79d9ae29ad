"""Handoff properties over generated conversations: deterministic, idempotent, valid.

``assert_valid`` states the structural rules of protocol.md §5 independently of the
implementation; the unit tests in test_handoff.py reuse it.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provider_runtime.core.types import (
    ContentPart,
    ImagePart,
    Message,
    MessageRole,
    ProviderCapabilities,
    ReasoningPart,
    SystemPlacement,
    TextPart,
    ToolCall,
    ToolResult,
)
from provider_runtime.handoff import (
    HANDOFF_WARNING_CODES,
    HandoffTarget,
    normalize_handoff_messages,
)

# The capabilities the adapters declare (the handoff brief; adapters-common.md).
OPENAI_CAPS = ProviderCapabilities(
    system_placement=SystemPlacement.INLINE,
    requires_alternation=False,
    tool_call_id_max_length=64,
    reasoning=True,
    reasoning_replay=False,
)
ANTHROPIC_CAPS = ProviderCapabilities(
    system_placement=SystemPlacement.TOP_LEVEL,
    requires_alternation=True,
    tool_call_id_pattern="^[a-zA-Z0-9_-]+$",
    reasoning=True,
    reasoning_replay=True,
    json_mode=False,
)
OPENROUTER_CAPS = ProviderCapabilities(
    system_placement=SystemPlacement.INLINE,
    requires_alternation=False,
    tool_call_id_max_length=64,
    reasoning=True,
    reasoning_replay=True,
)

OPENAI = HandoffTarget(provider="openai", model="gpt-4.1", capabilities=OPENAI_CAPS)
ANTHROPIC = HandoffTarget(
    provider="anthropic", model="claude-sonnet-4-5", capabilities=ANTHROPIC_CAPS
)
OPENROUTER = HandoffTarget(
    provider="openrouter", model="anthropic/claude-sonnet-4.5", capabilities=OPENROUTER_CAPS
)
TARGETS = {
    "openai": OPENAI,
    "anthropic": ANTHROPIC,
    "openrouter": OPENROUTER,
    "anthropic-no-vision": msgspec.structs.replace(ANTHROPIC, vision=False),
    "strict-ids-alternating-inline": HandoffTarget(
        provider="mistral",
        model="mistral-large",
        capabilities=ProviderCapabilities(
            requires_alternation=True,
            tool_call_id_pattern="^[a-zA-Z0-9]{9}$",
            tool_call_id_max_length=9,
        ),
    ),
    "openai-no-tools-no-vision": HandoffTarget(
        provider="openai",
        model="gpt-4.1",
        capabilities=msgspec.structs.replace(OPENAI_CAPS, tools=False, vision=False),
    ),
}


# --------------------------------------------------------------------------- the rules


def _images_in(part: ContentPart) -> int:
    if isinstance(part, ImagePart):
        return 1
    if isinstance(part, ToolResult) and isinstance(part.content, list):
        return sum(isinstance(p, ImagePart) for p in part.content)
    return 0


def _check_parts(messages: list[Message], target: HandoffTarget) -> None:
    caps = target.capabilities
    accepts_images = caps.vision and target.vision is not False
    for i, message in enumerate(messages):
        parts = message.parts()
        assert parts, f"message {i} is empty"
        for part in parts:
            if isinstance(part, TextPart):
                assert part.text.strip(), f"message {i} has a blank text part"
            if isinstance(part, ReasoningPart):
                assert message.role == MessageRole.ASSISTANT
                assert caps.reasoning_replay, "reasoning sent to a target that cannot replay it"
                assert (part.provider, part.model) == (target.provider, target.model)
            if isinstance(part, ToolCall):
                assert caps.tools and message.role == MessageRole.ASSISTANT
            if isinstance(part, ToolResult):  # where in a user message: _check_tool_pairs
                assert caps.tools and message.role in (MessageRole.TOOL, MessageRole.USER)
            if _images_in(part):
                assert accepts_images, f"image in message {i} for a target without vision"
            if isinstance(part, ImagePart):
                assert message.role in (MessageRole.USER, MessageRole.TOOL)
        if message.role == MessageRole.TOOL:
            assert all(isinstance(p, ToolResult) for p in parts), f"tool message {i} not pure"


def _check_tool_pairs(messages: list[Message], target: HandoffTarget) -> None:
    caps = target.capabilities
    seen_ids: set[str] = set()
    i = 0
    while i < len(messages):
        message = messages[i]
        calls = [p for p in message.parts() if isinstance(p, ToolCall)]
        if message.role == MessageRole.TOOL:
            raise AssertionError(f"tool message {i} does not follow an assistant's calls")
        if any(isinstance(p, ToolResult) for p in message.parts()):
            raise AssertionError(f"message {i} holds results that answer no call just before")
        i += 1
        if not calls:
            continue
        for call in calls:
            assert call.id not in seen_ids, f"duplicate tool call id {call.id!r}"
            seen_ids.add(call.id)
            assert call.id, "empty tool call id"
            if caps.tool_call_id_max_length is not None:
                assert len(call.id) <= caps.tool_call_id_max_length, call.id
            if caps.tool_call_id_pattern is not None:
                assert re.fullmatch(caps.tool_call_id_pattern, call.id), call.id
        results: list[ToolResult] = []
        while i < len(messages) and messages[i].role == MessageRole.TOOL:
            results += [p for p in messages[i].parts() if isinstance(p, ToolResult)]
            i += 1
        if i < len(messages) and messages[i].role == MessageRole.USER:
            # Anthropic-native shape: the rest of the results open the next user message.
            parts = messages[i].parts()
            lead = len(list(itertools.takewhile(lambda p: isinstance(p, ToolResult), parts)))
            if lead:
                assert not any(isinstance(p, ToolResult) for p in parts[lead:]), (
                    f"results in user message {i} do not all open it"
                )
                results += parts[:lead]
                i += 1
        assert [r.tool_call_id for r in results] == [c.id for c in calls], (
            f"results after message {i - 1} do not answer its calls in order"
        )


def _check_layout(messages: list[Message], target: HandoffTarget) -> None:
    caps = target.capabilities
    roles = [m.role for m in messages]
    if caps.system_placement == SystemPlacement.TOP_LEVEL:
        assert roles.count(MessageRole.SYSTEM) <= 1
        assert MessageRole.SYSTEM not in roles[1:], "system message not first"
    if not caps.requires_alternation:
        return
    turns = [r for r in roles if r != MessageRole.SYSTEM]
    if turns:
        assert turns[0] == MessageRole.USER, "turns do not start with a user message"
    # System messages sit only at the front for top-level targets; an inline-system target that
    # also wants alternation has turns separated by its system messages.
    for a, b in itertools.pairwise(roles):
        if MessageRole.SYSTEM in (a, b):
            continue
        assert a != b, f"two {a.value} messages in a row"
        assert (a, b) != (MessageRole.USER, MessageRole.TOOL)


def assert_valid(messages: list[Message], target: HandoffTarget) -> None:
    """Every structural rule of protocol.md §5 for ``target``."""
    _check_parts(messages, target)
    _check_tool_pairs(messages, target)
    _check_layout(messages, target)


# --------------------------------------------------------------------------- generators

IDS = [
    "call_1",
    "call_2",
    "toolu_01A09q90qw90lq917835lq9",
    "fc.1:get_weather",
    "functions.lookup:0",
    "a.b",
    "a_b",
    "",
    "call 3",
    "x" * 70,
    "call_" + "9" * 59,
    "call_0",
]
ORIGINS = [
    (None, None),
    ("anthropic", "claude-sonnet-4-5"),
    ("anthropic", "claude-opus-4-1"),
    ("openrouter", "anthropic/claude-sonnet-4.5"),
    ("openai", "gpt-4.1"),
]
texts = st.sampled_from(["", " ", "\n", "hi", "What is the weather in Paris?", "done."])
images = st.one_of(
    st.builds(ImagePart, url=st.sampled_from(["https://example.com/a.png", "https://x.io/b"])),
    st.builds(ImagePart, data=st.just("iVBORw0KGgo="), media_type=st.just("image/png")),
)
text_parts = st.builds(TextPart, text=texts)


@st.composite
def reasoning_parts(draw: Any) -> ReasoningPart:
    provider, model = draw(st.sampled_from(ORIGINS))
    redacted = draw(st.booleans())
    return ReasoningPart(
        text="" if redacted else draw(st.sampled_from(["", "Let me think.", "Step 1"])),
        signature=draw(st.sampled_from([None, "EqQBCgIYAhIM"])),
        redacted=redacted,
        data="ENCRYPTED" if redacted else None,
        provider=provider,
        model=model,
    )


tool_calls = st.builds(
    ToolCall,
    id=st.sampled_from(IDS),
    name=st.sampled_from(["get_weather", "lookup"]),
    arguments=st.sampled_from([{}, {"city": "Paris"}, {"q": [1, 2], "a": None}]),
)
result_content = st.one_of(texts, st.lists(st.one_of(text_parts, images), max_size=3))
tool_results = st.builds(
    ToolResult,
    tool_call_id=st.sampled_from(IDS),
    content=result_content,
    is_error=st.booleans(),
)
any_part = st.one_of(text_parts, images, tool_calls, tool_results, reasoning_parts())
roles = st.sampled_from(list(MessageRole))


@st.composite
def random_messages(draw: Any) -> Message:
    role = draw(roles)
    if draw(st.integers(0, 4)) == 0:
        return Message(role=role, content=draw(texts))
    return Message(role=role, content=draw(st.lists(any_part, max_size=4)))


@st.composite
def tool_turns(draw: Any) -> list[Message]:
    """An assistant turn with calls and its results: complete, partial, split, or misplaced."""
    head = draw(st.lists(st.one_of(reasoning_parts(), text_parts), max_size=2))
    calls = draw(st.lists(tool_calls, min_size=1, max_size=3))
    out = [Message(role=MessageRole.ASSISTANT, content=[*head, *calls])]
    results = [
        ToolResult(tool_call_id=c.id, content=draw(result_content), is_error=draw(st.booleans()))
        for c in calls
        if draw(st.integers(0, 5)) > 0
    ]
    results = draw(st.permutations(results)) if draw(st.booleans()) else results
    if draw(st.booleans()):
        out += [Message(role=MessageRole.TOOL, content=[r]) for r in results]
    elif results:
        role = draw(st.sampled_from([MessageRole.TOOL, MessageRole.TOOL, MessageRole.USER]))
        out.append(Message(role=role, content=list(results)))
    return out


@st.composite
def conversations(draw: Any) -> list[Message]:
    chunks = draw(
        st.lists(
            st.one_of(
                tool_turns(),
                random_messages().map(lambda m: [m]),
                st.builds(lambda t: [Message(role=MessageRole.USER, content=t)], texts),
            ),
            max_size=7,
        )
    )
    return [m for chunk in chunks for m in chunk]


PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# --------------------------------------------------------------------------- properties


def _run(messages: list[Message], name: str) -> tuple[list[Message], list[Any]]:
    return normalize_handoff_messages(messages, TARGETS[name])


@PROPERTY_SETTINGS
@given(conversations(), st.sampled_from(sorted(TARGETS)))
def test_output_is_valid_for_the_target(messages: list[Message], name: str) -> None:
    out, warnings = _run(messages, name)
    assert_valid(out, TARGETS[name])
    assert all(w.code in HANDOFF_WARNING_CODES and w.message for w in warnings)


@PROPERTY_SETTINGS
@given(conversations(), st.sampled_from(sorted(TARGETS)))
def test_deterministic_same_bytes(messages: list[Message], name: str) -> None:
    first = _run(messages, name)
    copy = msgspec.json.decode(msgspec.json.encode(messages), type=list[Message])
    second = _run(copy, name)
    assert msgspec.json.encode(first) == msgspec.json.encode(second)


@PROPERTY_SETTINGS
@given(conversations(), st.sampled_from(sorted(TARGETS)))
def test_idempotent_and_silent_second_pass(messages: list[Message], name: str) -> None:
    out, _ = _run(messages, name)
    again, warnings = _run(out, name)
    assert again == out
    assert warnings == []


@PROPERTY_SETTINGS
@given(conversations(), st.sampled_from(sorted(TARGETS)))
def test_every_change_is_reported(messages: list[Message], name: str) -> None:
    """No warning means nothing changed: the very same message objects come back."""
    out, warnings = _run(messages, name)
    unchanged = len(out) == len(messages) and all(
        a is b for a, b in zip(out, messages, strict=False)
    )
    assert unchanged == (not warnings), [w.code for w in warnings]


@PROPERTY_SETTINGS
@given(conversations(), st.sampled_from(sorted(TARGETS)))
def test_warnings_point_at_real_input(messages: list[Message], name: str) -> None:
    _, warnings = _run(messages, name)
    for w in warnings:
        details = w.details
        if "message_index" in details:
            index = details["message_index"]
            assert 0 <= index < len(messages)
            if "part_index" in details:
                assert 0 <= details["part_index"] < len(messages[index].parts())
        for index in details.get("message_indices", []):
            assert 0 <= index < len(messages)
        msgspec.json.encode(w)  # details stay JSON
