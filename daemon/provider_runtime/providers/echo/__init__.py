"""The built-in offline provider: deterministic answers from the request; no key, no network."""

from .adapter import EchoAdapter
from .answer import answer_echo_request, estimate_tokens
from .models import ECHO_MODELS, echo_models

__all__ = ["ECHO_MODELS", "EchoAdapter", "answer_echo_request", "echo_models", "estimate_tokens"]
