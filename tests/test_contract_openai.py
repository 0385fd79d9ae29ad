"""Golden contract fixtures for OpenAI Chat Completions and OpenAI-compatible servers.

Each directory under tests/fixtures/openai/ is one case (see tests/fixture_util.py). A case's
``context.json`` may name a compatible server: ``{"provider": id, "quirks": {...}}`` (or
``{"store_completions": true}`` for the official API). Every native request is validated against
the official `/chat/completions` request schema; official responses against
`CreateChatCompletionResponse`, error bodies against `ErrorResponse`, model lists against
`ListModelsResponse`. Compatible servers' answers are their own dialect (vLLM omits `refusal`,
FastAPI errors use `detail`), so only their requests are held to OpenAI's spec.
UPDATE_FIXTURES=1 drafts missing expectations only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from provider_runtime.config import OpenAICompatQuirks
from provider_runtime.core.types import (
    ModelInfo,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
)
from provider_runtime.providers.openai import (
    OpenAIDialect,
    capabilities_for,
    decode_openai_error,
    decode_openai_models,
    decode_openai_response,
    encode_openai_request,
)
from provider_runtime.runtime.capabilities import prepare_request
from tests.fixture_util import (
    assert_error_case,
    assert_matches_or_update,
    case_id,
    fixture_cases,
    load_json,
)
from tests.openapi import validate, validate_request

SPEC = "openai"
CASES = fixture_cases("openai")


def _context(case: Path) -> dict[str, Any]:
    return load_json(case / "context.json") if (case / "context.json").exists() else {}


def _provider(case: Path) -> str:
    provider: str = _context(case).get("provider", "openai")
    return provider


def _official(case: Path) -> bool:
    return "quirks" not in _context(case)


def _dialect(case: Path) -> OpenAIDialect:
    context = _context(case)
    provider = _provider(case)
    if "quirks" in context:
        quirks = msgspec.convert(context["quirks"], OpenAICompatQuirks)
        return OpenAIDialect.from_quirks(quirks, provider=provider)
    store = context.get("store_completions", False)
    return OpenAIDialect(provider=provider, metadata="store" if store else "drop")


def _requested_model(case: Path) -> str | None:
    if not (case / "canonical_request.json").exists():
        return None
    return str(load_json(case / "canonical_request.json")["model"]).partition("/")[2]


def test_enough_cases_of_each_kind() -> None:
    assert len(fixture_cases("openai", "native_request.json")) >= 15
    assert len(fixture_cases("openai", "native_response.json")) >= 10
    assert len(fixture_cases("openai", "error.json")) >= 10
    assert fixture_cases("openai", "models.json")
    for case in CASES:
        assert any(
            (case / name).exists()
            for name in (
                "canonical_request.json",
                "native_response.json",
                "error.json",
                "models.json",
            )
        ), f"{case.name} holds no fixture"


@pytest.mark.parametrize("case", fixture_cases("openai", "canonical_request.json"), ids=case_id)
def test_request_encodes_to_native(case: Path) -> None:
    request = msgspec.json.decode(
        (case / "canonical_request.json").read_bytes(), type=ProviderRequest
    )
    ref = request.model_ref()
    assert ref.provider == _provider(case)

    dialect = _dialect(case)
    warnings: list[ProviderRuntimeWarning] = []
    if _context(case).get("capability_pass"):
        # The case is about what the target accepts: the runtime's one pass decides, the
        # encoder trusts the result (runtime/capabilities.py).
        info = _context(case).get("model_info")
        model_info = msgspec.convert(info, ModelInfo) if info is not None else None
        request, warnings = prepare_request(request, ref, model_info, capabilities_for(dialect))
    body, encoded = encode_openai_request(request, ref.id, dialect=dialect)
    warnings += encoded

    validate_request(SPEC, "/chat/completions", body)
    assert msgspec.json.decode(msgspec.json.encode(body)) == body  # plain JSON only
    assert_matches_or_update(case / "native_request.json", body)
    actual = msgspec.to_builtins(warnings)
    if actual or (case / "expected_warnings.json").exists():
        assert_matches_or_update(case / "expected_warnings.json", actual)


@pytest.mark.parametrize("case", fixture_cases("openai", "native_response.json"), ids=case_id)
def test_native_response_decodes_to_canonical(case: Path) -> None:
    raw = (case / "native_response.json").read_bytes()
    if _official(case):
        validate(SPEC, "CreateChatCompletionResponse", json.loads(raw))

    response = decode_openai_response(
        raw, provider=_provider(case), requested_model=_requested_model(case)
    )

    assert_matches_or_update(case / "canonical_response.json", msgspec.to_builtins(response))
    expected = msgspec.json.decode(
        (case / "canonical_response.json").read_bytes(), type=ProviderResponse
    )
    assert expected == response  # the expectation is itself a valid canonical response


@pytest.mark.parametrize("case", fixture_cases("openai", "error.json"), ids=case_id)
def test_native_error_maps_to_kind(case: Path) -> None:
    spec: dict[str, Any] = load_json(case / "error.json")
    body = spec["body"]
    if isinstance(body, dict) and _official(case):
        validate(SPEC, "ErrorResponse", body)
    assert_error_case(
        case,
        decode_openai_error,
        provider=_provider(case),
        url="https://api.openai.com/v1",
        max_message=400,
    )  # a proxy's HTML page is quoted, not pasted whole


@pytest.mark.parametrize("case", fixture_cases("openai", "models.json"), ids=case_id)
def test_model_list_decodes(case: Path) -> None:
    raw = (case / "models.json").read_bytes()
    if _official(case):
        validate(SPEC, "ListModelsResponse", json.loads(raw))

    models = decode_openai_models(raw, provider=_provider(case))

    assert all(isinstance(m, ModelInfo) and m.source == "remote" for m in models)
    assert_matches_or_update(case / "expected_models.json", msgspec.to_builtins(models))
