"""The offline token estimate (core/tokens.py): one rule, the same for runtime/countTokens
estimates and the echo provider's usage, for any conversation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from provider_runtime.core.tokens import MESSAGE_OVERHEAD_TOKENS, estimate_request_tokens
from provider_runtime.core.types import Message, MessageRole, ProviderRequest
from provider_runtime.providers.echo import answer_echo_request


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(max_size=200).filter(lambda t: not t.startswith("/")), min_size=1))
def test_echo_usage_is_the_estimate_for_any_conversation(texts: list[str]) -> None:
    request = ProviderRequest(
        model="echo/echo-1",
        messages=[Message(role=MessageRole.USER, content=t or "x") for t in texts],
    )
    counted = estimate_request_tokens(request)
    answered = answer_echo_request(request, provider="echo", model="echo-1", context_window=None)
    assert answered.usage.input_tokens == counted
    assert counted == sum(MESSAGE_OVERHEAD_TOKENS + (len(t or "x") + 3) // 4 for t in texts)
