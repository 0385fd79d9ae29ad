"""Golden contract fixtures for the DeepSeek preset (tests/fixtures/deepseek/, see
tests/fixture_util.py).

Requests are encoded by the adapter the preset's quirks (``config/presets.py``, data only)
give, then validated against OpenAI's official `/chat/completions` request schema; the field
DeepSeek adds, an assistant message's `reasoning_content`
(https://api-docs.deepseek.com/guides/thinking_mode), is one the spec does not list but lets
through (its message objects allow further properties). UPDATE_FIXTURES=1 drafts missing
expectations only.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from provider_runtime.config.presets import COMPATIBLE_PRESETS
from provider_runtime.core.types import AdapterContext, ProviderRequest
from provider_runtime.providers.http import Call
from provider_runtime.providers.openai import OpenAIAdapter
from provider_runtime.transport.http import HttpTransport
from tests.fixture_util import assert_matches_or_update, case_id, fixture_cases
from tests.openapi import validate_request

PRESET = COMPATIBLE_PRESETS["deepseek"]


def _adapter() -> OpenAIAdapter:
    assert PRESET.base_url is not None
    return OpenAIAdapter(
        HttpTransport(), provider_id="deepseek", base_url=PRESET.base_url, quirks=PRESET.quirks
    )


def test_enough_cases() -> None:
    assert len(fixture_cases("deepseek", "canonical_request.json")) >= 2


@pytest.mark.parametrize("case", fixture_cases("deepseek", "canonical_request.json"), ids=case_id)
def test_request_encodes_to_native(case: Path) -> None:
    request = msgspec.json.decode(
        (case / "canonical_request.json").read_bytes(), type=ProviderRequest
    )
    ref = request.model_ref()
    assert ref.provider == "deepseek"
    declared = _adapter().declaration_for(AdapterContext(model=ref))
    body, warnings = declared.encode(Call(provider="deepseek", model=ref.id, request=request))
    validate_request("openai", "/chat/completions", body)
    assert_matches_or_update(case / "native_request.json", body)
    actual = msgspec.to_builtins(warnings)
    if actual or (case / "expected_warnings.json").exists():
        assert_matches_or_update(case / "expected_warnings.json", actual)
