"""Whether a model takes ``temperature`` and ``top_p`` together (protocol.md §4).

Used by ``generate_catalog.py`` only. Neither genai-prices nor LiteLLM states it, so it is a
documented rule per provider, by model family; a config ``[[models]]`` entry can override it.

Anthropic: "Use only `temperature` OR `top_p`, not both" is listed as a breaking change when
migrating from Claude 3.x to Claude 4 ("This will error in Claude 4+ models";
https://platform.claude.com/docs/en/about-claude/models/migrating-to-claude-4). So Claude 3 and
earlier (``claude-instant``, ``claude-v1``, ``claude-2*``, ``claude-3*``) take the pair, every
later Claude model refuses it. Bedrock passes the parameters on to Claude, so its Claude ids
(``[<geography>.]anthropic.claude-*``) follow the same rule. Other providers and models: not
stated (unknown).
"""

from __future__ import annotations

import re
from typing import Any

_ANTHROPIC_BEFORE_CLAUDE_4 = re.compile(r"^claude-(?:instant|v1|2|3)(?:[.-]|$)")
_BEDROCK_CLAUDE = re.compile(r"^(?:[a-z-]+\.)?anthropic\.(?P<id>claude-.*)$")


def sampling_controls(provider: str, model_id: str) -> dict[str, Any]:
    """``temperature_with_top_p`` where the rule above settles it, else nothing (unknown)."""
    if provider == "bedrock":
        claude = _BEDROCK_CLAUDE.match(model_id)
        if claude is None:
            return {}
        provider, model_id = "anthropic", claude["id"]
    if provider != "anthropic":
        return {}
    return {"temperature_with_top_p": _ANTHROPIC_BEFORE_CLAUDE_4.match(model_id) is not None}
