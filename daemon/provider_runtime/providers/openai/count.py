"""The body of ``POST /responses/input_tokens`` for what ``run`` would send. Pure.

OpenAI counts a prompt only in the Responses format
(https://platform.openai.com/docs/api-reference/responses/input-tokens; the spec's
``TokenCountsBody``). A call that goes to ``/responses`` is counted from its own body, less
the fields that do not change the prompt (``responses_count_body``). A call that goes to Chat
Completions has its body translated item by item (``encode_input_tokens_body``):
the count is for that body, after every decision its encoder made (developer role, dropped
sampling knobs, tools, images). Messages become ``message`` items (text ``input_text``, images
``input_image``), an assistant's tool calls ``function_call`` items, tool answers
``function_call_output`` items; tools lose their ``function`` wrapper; ``response_format``
becomes ``text.format``; ``reasoning_effort`` becomes ``reasoning.effort``. What does not change
the prompt (output limits, sampling, stop, metadata, store) is not sent: the endpoint has no
such fields.
"""

from __future__ import annotations

from typing import Any

__all__ = ["COUNT_FIELDS", "COUNT_PATH", "encode_input_tokens_body", "responses_count_body"]

COUNT_PATH = "/responses/input_tokens"
# The fields of the spec's TokenCountsBody that a stateless Responses body can carry; the rest
# of a /responses body (max_output_tokens, sampling, store, include, metadata, prompt cache
# settings) does not change the prompt and is not accepted there.
COUNT_FIELDS = frozenset(
    {"model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "text"}
    | {"reasoning", "truncation"}
)
_IMAGE_DETAIL = "auto"  # Chat Completions' default detail; Responses requires the field


def encode_input_tokens_body(chat: dict[str, Any]) -> dict[str, Any]:
    """The ``TokenCountsBody`` counting the same prompt as the Chat Completions body ``chat``."""
    body: dict[str, Any] = {"model": chat["model"], "input": _items(chat["messages"])}
    if chat.get("tools"):
        body["tools"] = [_tool(tool) for tool in chat["tools"]]
    if "tool_choice" in chat:
        body["tool_choice"] = _tool_choice(chat["tool_choice"])
    if "response_format" in chat:
        body["text"] = {"format": _format(chat["response_format"])}
    if "reasoning_effort" in chat:
        body["reasoning"] = {"effort": chat["reasoning_effort"]}
    return body


def responses_count_body(body: dict[str, Any]) -> dict[str, Any]:
    """The ``TokenCountsBody`` for a ``/responses`` body: the same input, tools and format."""
    return {key: value for key, value in body.items() if key in COUNT_FIELDS}


def _items(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for message in messages:
        role = message["role"]
        if role == "tool":
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": message["tool_call_id"],
                    "output": message.get("content") or "",
                }
            )
        elif role == "assistant":
            items += _assistant(message)
        else:
            items.append({"type": "message", "role": role, "content": _content(message["content"])})
    return items


def _assistant(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The assistant's text (a string: Responses takes earlier assistant turns as plain text),
    then each of its tool calls as a ``function_call`` item, in order."""
    items: list[dict[str, Any]] = []
    text = message.get("content")
    if text:
        items.append({"type": "message", "role": "assistant", "content": text})
    for call in message.get("tool_calls") or ():
        function = call["function"]
        items.append(
            {
                "type": "function_call",
                "call_id": call["id"],
                "name": function["name"],
                "arguments": function.get("arguments") or "",
            }
        )
    return items


def _content(content: str | list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    for part in content:
        if part["type"] == "text":
            parts.append({"type": "input_text", "text": part["text"]})
        elif part["type"] == "image_url":
            image = part["image_url"]
            detail = image.get("detail", _IMAGE_DETAIL)
            parts.append({"type": "input_image", "image_url": image["url"], "detail": detail})
    return parts


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    function = tool["function"]
    out: dict[str, Any] = {"type": "function", "name": function["name"]}
    if "description" in function:
        out["description"] = function["description"]
    out["parameters"] = function.get("parameters")
    # Required by the spec; Chat Completions' default is non-strict, and so is the call.
    out["strict"] = function.get("strict", False)
    return out


def _tool_choice(choice: str | dict[str, Any]) -> str | dict[str, Any]:
    if isinstance(choice, str):
        return choice
    return {"type": "function", "name": choice["function"]["name"]}


def _format(fmt: dict[str, Any]) -> dict[str, Any]:
    if fmt["type"] != "json_schema":
        return {"type": fmt["type"]}
    schema = fmt["json_schema"]
    return {"type": "json_schema", **schema}
