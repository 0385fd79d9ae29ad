"""What several encoders do alike with canonical parts (pure): read a ``data:`` URL, send a tool
call's arguments, report a part the target cannot take. The blocks they build are their own."""

from __future__ import annotations

from typing import Any

from ..core.types import ContentPart, Message, ProviderRuntimeWarning, ToolCall
from .warnings import warn

__all__ = ["call_arguments", "parse_data_url", "unsupported_part"]


def parse_data_url(url: str) -> tuple[str, str] | None:
    """``data:image/png;base64,AAAA`` -> ("image/png", "AAAA"); None for any other URL."""
    if not url.startswith("data:"):
        return None
    header, sep, payload = url[5:].partition(",")
    media_type, _, encoding = header.partition(";")
    if not sep or encoding != "base64" or not media_type:
        return None
    return media_type, payload


def call_arguments(call: ToolCall, warnings: list[ProviderRuntimeWarning]) -> dict[str, Any]:
    """The call's arguments as the JSON object the APIs take; arguments that came back as
    something else (kept raw) are sent as ``{}``, with a warning."""
    if call.raw_arguments is not None and not call.arguments:
        warn(
            warnings,
            "unsupported.invalid_tool_arguments",
            f"tool call {call.id} had arguments that were not a JSON object; sent as {{}}",
            tool_call_id=call.id,
        )
    return dict(call.arguments)


def unsupported_part(
    warnings: list[ProviderRuntimeWarning],
    message: Message,
    index: int,
    part_index: int,
    part: ContentPart,
    *,
    api: str,
) -> None:
    """``unsupported.content_part`` for a part ``api`` cannot take in this message's role."""
    kind = str(part.__struct_config__.tag)
    warn(
        warnings,
        "unsupported.content_part",
        f"a part of type `{kind}` cannot appear in {message.role!s} messages for {api}; "
        "it was not sent",
        message_index=index,
        part_index=part_index,
        role=str(message.role),
        part_type=kind,
    )
