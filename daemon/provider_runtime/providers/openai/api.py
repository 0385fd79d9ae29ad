"""Which OpenAI API serves a model: Chat Completions or Responses (``api`` setting).

``auto`` picks Responses for reasoning models per the catalog (every model served only by
Responses, such as o3-pro or the codex models, is one of them in the catalog's sources) and
Chat Completions otherwise, unknown ids included. Pure; one answer per model, so one call
never changes API.
"""

from __future__ import annotations

from typing import Literal

from ...core.types import ModelInfo

__all__ = ["API_SETTINGS", "Api", "ApiSetting", "choose_api"]

Api = Literal["chat", "responses"]
ApiSetting = Literal["chat", "responses", "auto"]
API_SETTINGS: tuple[ApiSetting, ...] = ("chat", "responses", "auto")


def choose_api(setting: ApiSetting, info: ModelInfo | None) -> Api:
    """The API for a model with catalog entry ``info`` (None: not in the catalog)."""
    if setting != "auto":
        return setting
    if info is not None and info.capabilities.reasoning is True:
        return "responses"
    return "chat"
