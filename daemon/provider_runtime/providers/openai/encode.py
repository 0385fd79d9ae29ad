"""Canonical ``ProviderRequest`` -> OpenAI Chat Completions request body. Pure.

Follows https://platform.openai.com/docs/api-reference/chat/create. Tools, images and response
formats arrive already fitted to the endpoint (``runtime/capabilities.py``); what else the
target cannot express becomes an ``unsupported.*`` warning (protocol.md §6 "OpenAI", §9).
"""

from __future__ import annotations

from typing import Any

from ...core.types import (
    JsonFormat,
    JsonSchemaFormat,
    NamedToolChoice,
    ProviderRequest,
    ProviderRuntimeWarning,
    ReasoningConfig,
    ResponseFormat,
    TextFormat,
    ToolChoiceMode,
    ToolDefinition,
)
from ..warnings import warning
from .cache import cache_marker, encode_cache_options, openai_cache_placement
from .dialect import OPENAI_DIALECT, OpenAIDialect
from .messages import ReasoningReplay, encode_messages
from .reasoning_content import reasoning_content_replay
from .wire import (
    OpenAIChatOptions,
    OpenAIChatRequest,
    OpenAIFunction,
    OpenAIJsonSchema,
    OpenAITool,
)

__all__ = [
    "encode_openai_request",
    "encode_response_format",
    "encode_tool_choice",
    "encode_tools",
]

Warnings = list[ProviderRuntimeWarning]

_MAX_TEMPERATURE = 2.0  # CreateChatCompletionRequest: temperature 0..2


def encode_openai_request(
    request: ProviderRequest,
    model: str,
    *,
    dialect: OpenAIDialect = OPENAI_DIALECT,
    replay: ReasoningReplay | None = None,
) -> tuple[OpenAIChatRequest, Warnings]:
    """The native body for ``model`` (the provider's own id) and what could not be sent.

    ``dialect`` describes the endpoint (official OpenAI by default); ``replay`` lets an endpoint
    that accepts reasoning back (OpenRouter) encode assistant reasoning parts; a dialect that
    replays ``reasoning_content`` (DeepSeek) has its own.
    """
    cache = openai_cache_placement(request, dialect)
    if replay is None and dialect.reasoning_content_replay == "tool_turns":
        replay = reasoning_content_replay(request.messages, provider=dialect.provider, model=model)
    messages, warnings = encode_messages(
        request.messages, model=model, dialect=dialect, replay=replay, cache=cache
    )
    warnings.extend(cache.warnings)
    options: OpenAIChatOptions = {}
    if request.max_output_tokens is not None:
        options[dialect.max_tokens_field] = request.max_output_tokens
    options.update(_sampling(request, model, dialect, warnings))
    if request.reasoning is not None:
        options.update(_reasoning_effort(request.reasoning, dialect, warnings))
    if request.response_format is not None:
        options.update(encode_response_format(request.response_format))
    options.update(encode_tools(request, warnings))
    if "tools" in options and cache.tools is not None:
        options["tools"][-1].update(cache_marker(dialect, cache.tools))  # type: ignore[typeddict-item]
    options.update(_metadata(request.metadata, dialect, warnings))
    options.update(encode_cache_options(request))
    body: OpenAIChatRequest = {"model": model, "messages": messages, **options}
    return body, warnings


def _sampling(
    request: ProviderRequest, model: str, dialect: OpenAIDialect, warnings: Warnings
) -> OpenAIChatOptions:
    out: OpenAIChatOptions = {}
    restricted = dialect.restricts_sampling(model)
    knobs: OpenAIChatOptions = {}
    if request.temperature is not None:
        knobs["temperature"] = request.temperature
    if request.top_p is not None:
        knobs["top_p"] = request.top_p
    given = list(knobs)
    if restricted and given:
        warnings.append(
            warning(
                "unsupported.sampling_parameters",
                f"OpenAI reasoning model {model} accepts no {' or '.join(given)}; not sent",
                parameters=given,
            )
        )
    elif given:
        out.update(knobs)
        out.update(_temperature_in_range(out, dialect, warnings))
    if request.stop:
        out.update(_stop(request.stop, model, dialect, restricted, warnings))
    return out


def _temperature_in_range(
    knobs: OpenAIChatOptions, dialect: OpenAIDialect, warnings: Warnings
) -> OpenAIChatOptions:
    """OpenAI's temperature ranges from 0 to 2: a higher one is sent as 2 (reported)."""
    temperature = knobs.get("temperature")
    if not dialect.official or temperature is None or temperature <= _MAX_TEMPERATURE:
        return {}
    warnings.append(
        warning(
            "unsupported.sampling_parameters",
            f"OpenAI's temperature ranges from 0 to {_MAX_TEMPERATURE:g}; "
            f"sent as {_MAX_TEMPERATURE:g}",
            parameters=["temperature"],
            requested={"temperature": temperature},
            sent={"temperature": _MAX_TEMPERATURE},
        )
    )
    return {"temperature": _MAX_TEMPERATURE}


def _stop(
    stop: list[str], model: str, dialect: OpenAIDialect, restricted: bool, warnings: Warnings
) -> OpenAIChatOptions:
    if restricted or not dialect.supports_stop:
        target = f"OpenAI reasoning model {model}" if restricted else dialect.provider
        warnings.append(
            warning("unsupported.stop", f"{target} accepts no stop sequences; not sent", stop=stop)
        )
        return {}
    limit = dialect.max_stop_sequences
    if limit is not None and len(stop) > limit:
        warnings.append(
            warning(
                "unsupported.stop_count",
                f"{dialect.provider} accepts at most {limit} stop sequences; "
                f"the first {limit} were sent",
                dropped=stop[limit:],
            )
        )
        stop = stop[:limit]
    return {"stop": list(stop)}


def _reasoning_effort(
    reasoning: ReasoningConfig, dialect: OpenAIDialect, warnings: Warnings
) -> OpenAIChatOptions:
    if reasoning.budget_tokens is not None:
        sent = "effort only" if reasoning.effort is not None else "no reasoning setting"
        warnings.append(
            warning(
                "unsupported.reasoning_budget",
                f"{dialect.provider} takes a reasoning effort, not a token budget; {sent} sent",
                budget_tokens=reasoning.budget_tokens,
            )
        )
    return {"reasoning_effort": reasoning.effort} if reasoning.effort is not None else {}


def encode_response_format(fmt: ResponseFormat) -> OpenAIChatOptions:
    """``response_format`` as given: the runtime's capability pass has already downgraded or
    removed a format the endpoint does not take (``capability.*`` warnings)."""
    if isinstance(fmt, TextFormat):
        return {"response_format": {"type": "text"}}
    if isinstance(fmt, JsonSchemaFormat):
        return {"response_format": {"type": "json_schema", "json_schema": _schema(fmt)}}
    assert isinstance(fmt, JsonFormat)
    return {"response_format": {"type": "json_object"}}


def _schema(fmt: JsonSchemaFormat) -> OpenAIJsonSchema:
    out: OpenAIJsonSchema = {"name": fmt.name}
    if fmt.description is not None:
        out["description"] = fmt.description
    out["schema"] = fmt.schema
    if fmt.strict is not None:
        out["strict"] = fmt.strict
    return out


def encode_tools(request: ProviderRequest, warnings: Warnings) -> OpenAIChatOptions:
    """``tools`` and ``tool_choice``; a choice without tools is not sent (the API rejects it).

    Tools reach here only for an endpoint that takes them (the runtime's capability pass).
    """
    choice = request.tool_choice
    out: OpenAIChatOptions = {}
    if request.tools:
        out["tools"] = [_tool(t) for t in request.tools]
    if choice is None:
        return out
    if not request.tools:
        if choice != ToolChoiceMode.NONE:
            warnings.append(
                warning(
                    "unsupported.tool_choice_without_tools",
                    "a tool choice was given without tools; it was not sent",
                )
            )
        return out
    out["tool_choice"] = encode_tool_choice(choice)
    return out


def encode_tool_choice(choice: ToolChoiceMode | NamedToolChoice) -> str | dict[str, Any]:
    if isinstance(choice, NamedToolChoice):
        return {"type": "function", "function": {"name": choice.name}}
    return choice.value


def _tool(tool: ToolDefinition) -> OpenAITool:
    function: OpenAIFunction = {"name": tool.name}
    if tool.description is not None:
        function["description"] = tool.description
    function["parameters"] = tool.parameters
    if tool.strict is not None:
        function["strict"] = tool.strict
    return {"type": "function", "function": function}


def _metadata(
    metadata: dict[str, str], dialect: OpenAIDialect, warnings: Warnings
) -> OpenAIChatOptions:
    if not metadata:
        return {}
    if dialect.metadata == "send":
        return {"metadata": dict(metadata)}
    if dialect.metadata == "store":
        return {"metadata": dict(metadata), "store": True}
    why = "metadata only for stored completions" if dialect.official else "no request metadata"
    warnings.append(
        warning(
            "unsupported.metadata",
            f"{dialect.provider} accepts {why}; metadata not sent",
            keys=sorted(metadata),
        )
    )
    return {}
