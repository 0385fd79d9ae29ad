"""Canonical messages -> strictly alternating user/assistant turns (pure), for the APIs that
want them with tool results opening the user turn: Anthropic Messages and Bedrock Converse.

Each encoder keeps its own blocks (``encode``) and system prompt (``system``); this module owns
only the fold they share: tool messages join the user side, consecutive turns of one side are
one turn, a message that yields no block is left out with ``unsupported.empty_message`` (one
holding only cache breakpoints is not: its breakpoints mark the blocks before it), and each
user turn is reordered so its tool results come first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.types import CacheBreakpoint, Message, MessageRole, ProviderRuntimeWarning
from .warnings import warn

__all__ = ["fold_turns"]

Block = dict[str, Any]
Turn = dict[str, Any]  # {"role": "user" | "assistant", "content": [Block, ...]}
# Whether a block is of the given kind (a tool result; one that travels with the result before it).
BlockTest = Callable[[Block], bool]


def fold_turns(
    messages: list[Message],
    *,
    encode: Callable[[Message, int], list[Block]],
    system: Callable[[Message, int], None],
    is_result: BlockTest,
    follows_result: BlockTest = lambda block: False,
    api: str,
    warnings: list[ProviderRuntimeWarning],
) -> list[Turn]:
    """The turns of ``messages``; ``system`` is handed each system message (with its index)
    instead, ``api`` names the API in the warning for a message it cannot take."""
    turns: list[Turn] = []
    for index, message in enumerate(messages):
        if message.role == MessageRole.SYSTEM:
            system(message, index)
            continue
        side = "assistant" if message.role == MessageRole.ASSISTANT else "user"
        blocks = encode(message, index)
        if not blocks and _only_breakpoints(message):
            continue  # its breakpoints marked the blocks before it
        if not blocks:
            warn(
                warnings,
                "unsupported.empty_message",
                f"message {index} has no content {api} accepts; it was left out",
                message_index=index,
                role=str(message.role),
            )
            continue
        if turns and turns[-1]["role"] == side:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": side, "content": blocks})
    for turn in turns:
        if turn["role"] == "user":
            turn["content"] = _results_first(turn["content"], is_result, follows_result)
    return turns


def _only_breakpoints(message: Message) -> bool:
    parts = message.parts()
    return bool(parts) and all(isinstance(p, CacheBreakpoint) for p in parts)


def _results_first(content: list[Block], is_result: BlockTest, follows: BlockTest) -> list[Block]:
    """Tool results open the turn, each with the blocks that travel with it (a Converse
    ``cachePoint`` right after it); every other block keeps its order after them."""
    results: list[Block] = []
    rest: list[Block] = []
    with_results = False
    for block in content:
        with_results = is_result(block) or (with_results and follows(block))
        (results if with_results else rest).append(block)
    return results + rest
