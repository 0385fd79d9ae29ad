"""The one capability pass: effective capabilities, one warning code per condition."""

from __future__ import annotations

from provider_runtime.core.types import (
    ImagePart,
    JsonFormat,
    JsonSchemaFormat,
    Message,
    MessageRole,
    ModelCapabilities,
    ModelInfo,
    ModelRef,
    ProviderCapabilities,
    ProviderRequest,
    ReasoningConfig,
    TextPart,
    ToolDefinition,
)
from provider_runtime.providers.anthropic import ANTHROPIC_CAPABILITIES
from provider_runtime.runtime.capabilities import effective_capabilities, prepare_request

REF = ModelRef(provider="acme", id="m-1")


def info(**caps: bool | None) -> ModelInfo:
    return ModelInfo(provider="acme", id="m-1", capabilities=ModelCapabilities(**caps))


def request(**fields: object) -> ProviderRequest:
    fields.setdefault("messages", [Message(role=MessageRole.USER, content="hi")])
    return ProviderRequest(model="acme/m-1", **fields)  # type: ignore[arg-type]


def test_only_a_catalog_false_narrows_the_providers_capabilities() -> None:
    provider = ProviderCapabilities(tools=True, vision=True, json_schema=True, reasoning=True)
    assert effective_capabilities(provider, None) == provider
    assert effective_capabilities(provider, info()) == provider  # unknown: the provider decides
    narrowed = effective_capabilities(provider, info(tools=False, vision=False, reasoning=False))
    assert (narrowed.tools, narrowed.vision, narrowed.reasoning) == (False, False, False)
    assert narrowed.json_schema
    # The catalog cannot widen what the provider's API cannot express.
    assert not effective_capabilities(ProviderCapabilities(tools=False), info(tools=True)).tools


def test_a_model_without_vision_gets_a_placeholder_once() -> None:
    image = Message(
        role=MessageRole.USER, content=[TextPart(text="look"), ImagePart(url="https://x/a.png")]
    )
    prepared, warnings = prepare_request(
        request(messages=[image]), REF, info(vision=False), ProviderCapabilities()
    )
    assert [w.code for w in warnings] == ["handoff.image_removed"]
    parts = prepared.messages[0].parts()
    assert not [p for p in parts if isinstance(p, ImagePart)]


def test_each_condition_has_one_code() -> None:
    caps = ProviderCapabilities(tools=False, json_schema=False, json_mode=True, reasoning=False)
    schema = JsonSchemaFormat(name="answer", schema={"type": "object"})
    prepared, warnings = prepare_request(
        request(
            tools=[ToolDefinition(name="search")],
            response_format=schema,
            reasoning=ReasoningConfig(effort="low"),
        ),
        REF,
        None,
        caps,
    )
    assert [w.code for w in warnings] == [
        "capability.tools_removed",
        "capability.json_schema_downgraded",
        "capability.reasoning_removed",
    ]
    assert "acme/m-1" in warnings[0].message
    assert (prepared.tools, prepared.tool_choice, prepared.reasoning) == ([], None, None)
    assert prepared.response_format == JsonFormat()
    assert prepared.model == REF


def test_json_mode_is_removed_for_a_target_without_it_such_as_anthropic() -> None:
    ref = ModelRef(provider="anthropic", id="claude-sonnet-4-5")
    prepared, warnings = prepare_request(
        request(response_format=JsonFormat()), ref, None, ANTHROPIC_CAPABILITIES
    )
    assert [w.code for w in warnings] == ["capability.json_mode_removed"]
    assert "json_schema" in warnings[0].message  # says what would work instead
    assert prepared.response_format is None


def test_a_request_the_target_fully_accepts_is_left_alone() -> None:
    given = request(tools=[ToolDefinition(name="search")], response_format=JsonFormat())
    prepared, warnings = prepare_request(given, REF, info(tools=True), ProviderCapabilities())
    assert warnings == []
    assert prepared.tools == given.tools and prepared.response_format == JsonFormat()
