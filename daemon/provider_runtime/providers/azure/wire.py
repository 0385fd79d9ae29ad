"""Tolerant Structs for what Azure adds to a Chat Completions answer: content-filter results.

https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter: each choice
carries ``content_filter_results`` (per category: ``filtered``, ``severity``, or ``detected``
for the binary ones such as ``jailbreak`` and ``protected_material_text``); the request's own
results come as ``prompt_filter_results``.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["AzureChoice", "AzureCompletion", "PromptFilter"]


class AzureChoice(msgspec.Struct):
    index: int = 0
    finish_reason: str | None = None
    content_filter_results: dict[str, Any] = {}


class PromptFilter(msgspec.Struct):
    prompt_index: int = 0
    content_filter_results: dict[str, Any] = {}


class AzureCompletion(msgspec.Struct):
    choices: list[AzureChoice] = []
    prompt_filter_results: list[PromptFilter] = []
