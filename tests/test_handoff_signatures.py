"""Handoff of signatures on text and tool-call parts (Gemini thought signatures): replayed only
to the provider and model that made them, removed with ``handoff.reasoning_dropped`` elsewhere,
the part itself always kept (protocol.md §5)."""

from __future__ import annotations

from provider_runtime.core.types import (
    Message,
    MessageRole,
    PartSignature,
    ProviderCapabilities,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolResult,
)
from provider_runtime.handoff import HandoffTarget, normalize_handoff_messages
from provider_runtime.providers.anthropic import ANTHROPIC_CAPABILITIES
from provider_runtime.providers.google import GOOGLE_CAPABILITIES
from provider_runtime.providers.openai.adapter import OPENAI_CAPABILITIES

GEMINI_3 = PartSignature(provider="google", model="gemini-3-pro-preview", value="CiQBsig==")


def conversation(signature: PartSignature | None = GEMINI_3) -> list[Message]:
    return [
        Message(role=MessageRole.USER, content="Weather in Paris?"),
        Message(
            role=MessageRole.ASSISTANT,
            content=[
                ToolCall(
                    id="call_a",
                    name="get_weather",
                    arguments={"city": "Paris"},
                    signature=signature,
                )
            ],
        ),
        Message(role=MessageRole.TOOL, content=[ToolResult(tool_call_id="call_a", content="18C")]),
        Message(role=MessageRole.ASSISTANT, content=[TextPart(text="18 C.", signature=signature)]),
        Message(role=MessageRole.USER, content="Thanks"),
    ]


def target(
    provider: str, model: str, caps: ProviderCapabilities = GOOGLE_CAPABILITIES
) -> HandoffTarget:
    return HandoffTarget(provider=provider, model=model, capabilities=caps)


def test_same_provider_and_model_keeps_every_signature_untouched() -> None:
    messages = conversation()
    out, warnings = normalize_handoff_messages(messages, target("google", "gemini-3-pro-preview"))
    assert warnings == []
    assert out == messages


def test_another_gemini_model_loses_the_signatures_but_keeps_the_parts() -> None:
    out, warnings = normalize_handoff_messages(conversation(), target("google", "gemini-2.5-pro"))
    call = out[1].parts()[0]
    text = out[3].parts()[0]
    assert isinstance(call, ToolCall) and call.signature is None
    assert (call.id, call.name, call.arguments) == ("call_a", "get_weather", {"city": "Paris"})
    assert isinstance(text, TextPart) and (text.text, text.signature) == ("18 C.", None)
    assert [w.code for w in warnings] == ["handoff.reasoning_dropped"] * 2
    assert [w.details["part_type"] for w in warnings] == ["tool_call", "text"]
    assert warnings[0].details == {
        "message_index": 1,
        "part_index": 0,
        "reason": "other_model",
        "provider": "google",
        "model": "gemini-3-pro-preview",
        "redacted": False,
        "part_type": "tool_call",
    }


def test_a_target_that_cannot_replay_drops_them_with_its_reason() -> None:
    out, warnings = normalize_handoff_messages(
        conversation(), target("openai", "gpt-5", OPENAI_CAPABILITIES)
    )
    assert all(getattr(p, "signature", None) is None for m in out for p in m.parts())
    assert {w.details["reason"] for w in warnings if w.code == "handoff.reasoning_dropped"} == {
        "target_cannot_replay"
    }


def test_a_signature_on_plain_text_defeats_the_fast_path() -> None:
    """A text-only conversation normally skips every pass; a signed text part must not."""
    messages = [
        Message(role=MessageRole.USER, content="hi"),
        Message(role=MessageRole.ASSISTANT, content=[TextPart(text="hello", signature=GEMINI_3)]),
    ]
    out, warnings = normalize_handoff_messages(
        messages, target("anthropic", "claude-sonnet-4-5", ANTHROPIC_CAPABILITIES)
    )
    assert out[1].parts() == [TextPart(text="hello")]
    assert [w.code for w in warnings] == ["handoff.reasoning_dropped"]


def test_normalizing_again_changes_nothing() -> None:
    goal = target("anthropic", "claude-sonnet-4-5", ANTHROPIC_CAPABILITIES)
    once, _ = normalize_handoff_messages(conversation(), goal)
    twice, warnings = normalize_handoff_messages(once, goal)
    assert (twice, warnings) == (once, [])


def test_thoughts_and_signatures_follow_the_same_rule() -> None:
    thought = ReasoningPart(
        text="Need the tool.", signature="Ep8B", provider="google", model="gemini-3-pro-preview"
    )
    messages = [
        Message(role=MessageRole.USER, content="Weather?"),
        Message(role=MessageRole.ASSISTANT, content=[thought, TextPart(text="Sunny.")]),
    ]
    kept, none = normalize_handoff_messages(messages, target("google", "gemini-3-pro-preview"))
    assert (kept, none) == (messages, [])
    dropped, warnings = normalize_handoff_messages(messages, target("google", "gemini-3-flash"))
    assert dropped[1].parts() == [TextPart(text="Sunny.")]
    assert warnings[0].details["reason"] == "other_model"
