"""The handoff's fast path gives exactly what the full passes give, over generated conversations."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from provider_runtime.core.types import Message, MessageRole, TextPart
from provider_runtime.handoff import normalize_handoff_messages
from provider_runtime.handoff.normalize import _all_passes, needs_no_change

from .test_handoff_properties import PROPERTY_SETTINGS, TARGETS, conversations, text_parts, texts

# Mostly conversations the fast path takes: text only, roles in any order, some blank text.
chat_roles = st.sampled_from(
    [MessageRole.USER, MessageRole.ASSISTANT, MessageRole.SYSTEM, MessageRole.TOOL]
)


@st.composite
def text_messages(draw: Any) -> Message:
    role = draw(chat_roles) if draw(st.integers(0, 9)) == 0 else draw(chat_roles.filter(_not_tool))
    if draw(st.booleans()):
        return Message(role=role, content=draw(texts))
    return Message(role=role, content=draw(st.lists(text_parts, max_size=3)))


def _not_tool(role: MessageRole) -> bool:
    return role != MessageRole.TOOL


@st.composite
def alternating_chats(draw: Any) -> list[Message]:
    """A well-formed chat: an optional leading system prompt, then user/assistant in turn."""
    size = draw(st.integers(0, 6))
    system = [Message(role=MessageRole.SYSTEM, content="Be brief.")] if draw(st.booleans()) else []
    turns = [
        Message(
            role=MessageRole.USER if i % 2 == 0 else MessageRole.ASSISTANT,
            content=draw(st.sampled_from(["hi", "What is the weather in Paris?", "done."])),
        )
        for i in range(size)
    ]
    return [*system, *turns]


Result = tuple[list[Message], list[Any]]

any_conversation = st.one_of(
    alternating_chats(), st.lists(text_messages(), max_size=6), conversations()
)


def _same(messages: list[Message], a: Result, b: Result) -> None:
    """Equal output and warnings, and the same input objects passed through at the same places."""
    assert a == b
    inputs = {id(m): m for m in messages}
    assert [inputs.get(id(x)) for x in a[0]] == [inputs.get(id(y)) for y in b[0]]
    assert all(x is y for x, y in zip(a[0], b[0], strict=True) if id(x) in inputs)


@PROPERTY_SETTINGS
@given(any_conversation, st.sampled_from(sorted(TARGETS)))
def test_normalize_equals_the_full_passes(messages: list[Message], name: str) -> None:
    target = TARGETS[name]
    _same(messages, normalize_handoff_messages(messages, target), _all_passes(messages, target))


@PROPERTY_SETTINGS
@given(any_conversation, st.sampled_from(sorted(TARGETS)))
def test_what_the_fast_path_takes_the_passes_leave_alone(
    messages: list[Message], name: str
) -> None:
    if needs_no_change(messages, TARGETS[name]):
        out, warnings = _all_passes(messages, TARGETS[name])
        assert warnings == []
        assert len(out) == len(messages)
        assert all(x is y for x, y in zip(out, messages, strict=True))


@PROPERTY_SETTINGS
@given(alternating_chats(), st.sampled_from(sorted(TARGETS)))
def test_a_well_formed_text_chat_takes_the_fast_path(messages: list[Message], name: str) -> None:
    assert needs_no_change(messages, TARGETS[name])


def test_the_fast_path_declines_what_some_target_would_change() -> None:
    user = Message(role=MessageRole.USER, content="hi")
    assistant = Message(role=MessageRole.ASSISTANT, content=[TextPart(text="hello")])
    system = Message(role=MessageRole.SYSTEM, content="Be brief.")
    anthropic, openai = TARGETS["anthropic"], TARGETS["openai"]
    assert needs_no_change([system, user, assistant], anthropic)
    assert not needs_no_change([user, system, assistant], anthropic)  # system moved first
    assert needs_no_change([user, system, assistant], openai)  # inline system stays
    assert not needs_no_change([user, user], anthropic)  # merged
    assert needs_no_change([user, user], openai)
    assert not needs_no_change([system, assistant, user], anthropic)  # user inserted first
    assert not needs_no_change([user, Message(role=MessageRole.USER, content=" ")], openai)
    assert not needs_no_change([Message(role=MessageRole.USER, content=[])], openai)
    assert not needs_no_change([Message(role=MessageRole.TOOL, content="x")], openai)
