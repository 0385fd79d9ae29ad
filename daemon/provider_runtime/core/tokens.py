"""The runtime's one offline token estimate (protocol.md §8.5, ``runtime/countTokens``). Pure.

No tokenizer is downloaded (the daemon may have no network): text counts one token per four
characters, rounded up; each message adds 4 (role and separators); each image 85 (what a
low-detail image costs on OpenAI); a tool call its name plus its arguments as compact JSON; each
tool definition its canonical JSON; a cache breakpoint nothing. A rule of thumb for English
prose: code, other scripts and other tokenizers can differ a lot, which is why counts made with
it say ``exact: false``. The offline ``echo`` provider reports the same number as its usage, so
the two can be compared.
"""

from __future__ import annotations

import msgspec

from .types import (
    CacheBreakpoint,
    ImagePart,
    Message,
    ProviderRequest,
    ReasoningPart,
    TextPart,
    ToolCall,
)

__all__ = [
    "IMAGE_TOKENS",
    "MESSAGE_OVERHEAD_TOKENS",
    "estimate_request_tokens",
    "estimate_tokens",
]

IMAGE_TOKENS = 85  # a flat per-image charge, as low-detail images cost on OpenAI
MESSAGE_OVERHEAD_TOKENS = 4  # role and separators, per message

_encode = msgspec.json.Encoder(order="deterministic").encode


def estimate_tokens(text: str) -> int:
    """The usual rule of thumb: one token per four characters, rounded up (0 for no text)."""
    return (len(text) + 3) // 4


def estimate_request_tokens(request: ProviderRequest) -> int:
    """The prompt of ``request`` (messages and tool definitions) by the rule above."""
    total = sum(_message_tokens(m) for m in request.messages)
    return total + sum(estimate_tokens(_encode(tool).decode()) for tool in request.tools)


def _message_tokens(message: Message) -> int:
    tokens = MESSAGE_OVERHEAD_TOKENS
    for part in message.parts():
        if isinstance(part, TextPart | ReasoningPart):
            tokens += estimate_tokens(part.text)
        elif isinstance(part, ImagePart):
            tokens += IMAGE_TOKENS
        elif isinstance(part, ToolCall):
            tokens += estimate_tokens(part.name + _encode(part.arguments).decode())
        elif isinstance(part, CacheBreakpoint):
            continue  # a marker, not prompt text
        elif isinstance(part.content, str):
            tokens += estimate_tokens(part.content)
        else:
            tokens += sum(
                estimate_tokens(p.text) if isinstance(p, TextPart) else IMAGE_TOKENS
                for p in part.content
            )
    return tokens
