"""Canonical messages -> Gemini ``systemInstruction`` and ``contents`` (pure).

Follows https://ai.google.dev/api/generate-content (``Content``, ``Part``) and
https://ai.google.dev/gemini-api/docs/thought-signatures: signatures go back verbatim on the part
that carried them; a function call that Gemini did not produce gets Google's documented
placeholder signature for models that validate them (Gemini 3 and later).
"""

from __future__ import annotations

import re
from typing import Any

from ...core.types import (
    ImagePart,
    Message,
    MessageRole,
    PartSignature,
    ProviderRuntimeWarning,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolResult,
)
from ..parts import call_arguments, parse_data_url, unsupported_part
from ..warnings import warn

__all__ = [
    "PLACEHOLDER_SIGNATURE",
    "encode_contents",
    "encode_image",
    "takes_function_response_media",
    "validates_signatures",
]

# https://ai.google.dev/gemini-api/docs/thought-signatures (FAQ: history from another model, or
# function calls the client wrote itself): this value makes Gemini skip signature validation.
PLACEHOLDER_SIGNATURE = "context_engineering_is_the_way_to_go"
_FILES_API = "https://generativelanguage.googleapis.com/"
_LEGACY_FAMILY = re.compile(r"^gemini-(1|2)[.-]")
# Gemini 3 and later: images inside function responses (FunctionResponse.parts, inline data only:
# the Gemini API has no fileData there), of these types (the function-calling guide's list).
_MEDIA_RESPONSES = re.compile(r"^gemini-(?:[3-9]|[1-9]\d)(?:[.-]|$)")
_RESPONSE_MEDIA_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
_IMAGE_NOTE = "[image omitted: tool results cannot carry images here]"

Part = dict[str, Any]
# what `unsupported.content_part` says Gemini could not take (a result may also lack its call)
_UNSUPPORTED_IN = "Gemini (or a tool result has no call to answer)"
Warnings = list[ProviderRuntimeWarning]


def validates_signatures(model: str) -> bool:
    """Gemini 3 and later reject a function call without its signature (400); 1.x/2.x do not."""
    return not _LEGACY_FAMILY.match(model.removeprefix("models/"))


def encode_contents(
    messages: list[Message], *, provider: str, model: str
) -> tuple[Part | None, list[dict[str, Any]], Warnings]:
    """The ``systemInstruction`` (or None), the ``contents`` and the warnings.

    Tool and user messages are ``user`` turns, assistant messages ``model`` turns; consecutive
    turns of one side are one content, function responses first in a user turn.
    """
    warnings: Warnings = []
    names = {p.id: p.name for m in messages for p in m.parts() if isinstance(p, ToolCall)}
    system: list[str] = []
    contents: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if message.role == MessageRole.SYSTEM:
            system.extend(_system_texts(message, index, warnings))
            continue
        role = "model" if message.role == MessageRole.ASSISTANT else "user"
        parts = _encode_parts(message, index, provider, model, names, warnings)
        if not parts:
            continue
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})
    for content in contents:
        if content["role"] == "user":
            parts = content["parts"]
            content["parts"] = [p for p in parts if "functionResponse" in p] + [
                p for p in parts if "functionResponse" not in p
            ]
    if validates_signatures(model):
        _placeholder_signatures(contents, warnings)
    text = "\n\n".join(t for t in system if t.strip())
    return ({"parts": [{"text": text}]} if text else None), contents, warnings


def _system_texts(message: Message, index: int, warnings: Warnings) -> list[str]:
    texts: list[str] = []
    for part_index, part in enumerate(message.parts()):
        if isinstance(part, TextPart):
            texts.append(part.text)
        else:
            unsupported_part(warnings, message, index, part_index, part, api=_UNSUPPORTED_IN)
    return ["".join(texts)] if texts else []


def _encode_parts(
    message: Message,
    index: int,
    provider: str,
    model: str,
    names: dict[str, str],
    warnings: Warnings,
) -> list[Part]:
    out: list[Part] = []
    model_turn = message.role == MessageRole.ASSISTANT
    for part_index, part in enumerate(message.parts()):
        encoded: Part | None = None
        if isinstance(part, TextPart):
            if part.text.strip() or part.signature is not None:
                encoded = _signed({"text": part.text}, part.signature, provider, model)
        elif isinstance(part, ImagePart) and not model_turn:
            encoded = encode_image(part, warnings, where=f"messages[{index}][{part_index}]")
        elif isinstance(part, ToolCall) and model_turn:
            encoded = _function_call(part, provider, model, warnings)
        elif isinstance(part, ToolResult) and not model_turn and part.tool_call_id in names:
            encoded = _function_response(part, names[part.tool_call_id], index, model, warnings)
        elif isinstance(part, ReasoningPart) and model_turn:
            encoded = _thought(part, provider, model)
        else:
            unsupported_part(warnings, message, index, part_index, part, api=_UNSUPPORTED_IN)
        if encoded is not None:
            out.append(encoded)
    return out


def _signed(part: Part, signature: PartSignature | None, provider: str, model: str) -> Part:
    """The part with its thought signature when this provider and model made it (handoff has
    already dropped every other one, with a warning)."""
    if signature is not None and (signature.provider, signature.model) == (provider, model):
        part["thoughtSignature"] = signature.value
    return part


def _thought(part: ReasoningPart, provider: str, model: str) -> Part | None:
    """A thought part of this model, replayed with its signature; others are not sent."""
    if part.redacted or (part.provider, part.model) != (provider, model):
        return None
    if part.signature is None and not part.text:
        return None
    out: Part = {"text": part.text, "thought": True}
    if part.signature is not None:
        out["thoughtSignature"] = part.signature
    return out


def _function_call(call: ToolCall, provider: str, model: str, warnings: Warnings) -> Part:
    body = {"id": call.id, "name": call.name, "args": call_arguments(call, warnings)}
    return _signed({"functionCall": body}, call.signature, provider, model)


def takes_function_response_media(model: str) -> bool:
    """Gemini 3 and later read images inside a function response (``FunctionResponse.parts``);
    earlier models do not (https://ai.google.dev/gemini-api/docs/function-calling, multimodal
    function responses)."""
    return _MEDIA_RESPONSES.match(model.removeprefix("models/")) is not None


def _function_response(
    result: ToolResult, name: str, index: int, model: str, warnings: Warnings
) -> Part:
    """Google's convention: ``{"output": text}``, or ``{"error": text}`` for a failed call;
    images go beside it in ``parts`` for the models that read them."""
    media: list[Part] = []
    if isinstance(result.content, str):
        text = result.content
    else:
        texts: list[str] = []
        for part_index, item in enumerate(result.content):
            if isinstance(item, TextPart):
                texts.append(item.text)
                continue
            blob, why = _response_blob(item, model)
            if blob is not None:
                media.append({"inlineData": blob})
                continue
            warn(
                warnings,
                "unsupported.tool_result_image",
                f"an image inside a tool result was sent as the text `{_IMAGE_NOTE}`: {why}",
                message_index=index,
                part_index=part_index,
                tool_call_id=result.tool_call_id,
            )
            texts.append(_IMAGE_NOTE)
        text = "\n".join(texts)
    key = "error" if result.is_error else "output"
    body: Part = {"id": result.tool_call_id, "name": name, "response": {key: text}}
    if media:
        body["parts"] = media
    return {"functionResponse": body}


def _response_blob(image: ImagePart, model: str) -> tuple[Part | None, str]:
    """The ``FunctionResponseBlob`` of an image, or None and why it cannot be one."""
    if not takes_function_response_media(model):
        return None, f"{model} reads no images in function responses (Gemini 3 and later do)"
    blob = _inline_blob(image)
    if blob is None:
        return None, "a function response takes images only as inline data (base64 `data`)"
    if blob["mimeType"] not in _RESPONSE_MEDIA_TYPES:
        offered = ", ".join(sorted(_RESPONSE_MEDIA_TYPES))
        return None, f"a function response takes {offered} images, not {blob['mimeType']}"
    return blob, ""


def _inline_blob(image: ImagePart) -> Part | None:
    """``{"mimeType", "data"}`` for base64 data or a base64 ``data:`` URL, else None."""
    if image.url is None:
        return {"mimeType": image.media_type, "data": image.data}
    parsed = parse_data_url(image.url)
    if parsed is None:
        return None
    return {"mimeType": parsed[0], "data": parsed[1]}


def encode_image(image: ImagePart, warnings: Warnings, *, where: str) -> Part:
    """``inlineData`` for base64 data and ``data:`` URLs, ``fileData`` for Files API URIs; any
    other URL cannot be fetched by the API and becomes a text note."""
    blob = _inline_blob(image)
    if blob is not None:
        return {"inlineData": blob}
    assert image.url is not None
    if image.url.startswith(_FILES_API):
        file: Part = {"fileUri": image.url}
        if image.media_type:
            file["mimeType"] = image.media_type
        return {"fileData": file}
    warn(
        warnings,
        "unsupported.image_url",
        "Gemini takes image URLs only from its Files API; the image was replaced by a note "
        "(send it as base64 `data`)",
        where=where,
    )
    return {"text": "[image omitted: only Files API URLs can be sent to Gemini]"}


def _placeholder_signatures(contents: list[dict[str, Any]], warnings: Warnings) -> None:
    """Each model turn with function calls but no signature gets the placeholder on its first
    call, as Google documents for histories Gemini did not produce."""
    for content_index, content in enumerate(contents):
        calls = [p for p in content["parts"] if "functionCall" in p]
        if content["role"] != "model" or not calls:
            continue
        if any("thoughtSignature" in p for p in calls):
            continue
        calls[0]["thoughtSignature"] = PLACEHOLDER_SIGNATURE
        warn(
            warnings,
            "unsupported.thought_signature",
            "function calls in the history carry no thought signature of this model (another "
            "model made them); sent Google's placeholder signature, so Gemini accepts the turn "
            "without the reasoning that led to it",
            content_index=content_index,
            tool_call_id=calls[0]["functionCall"]["id"],
        )
