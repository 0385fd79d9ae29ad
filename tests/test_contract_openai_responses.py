"""Golden contract fixtures for OpenAI's Responses API (stateless: ``store: false``).

Each directory under tests/fixtures/openai_responses/ is one case (see tests/fixture_util.py).
A case's ``context.json`` may give the catalog's word on the model (``{"reasoning": true}``).
Every native request is validated against the official spec's `CreateResponse` (the
`/responses` request body), every response against `Response`, every error body against
`ErrorResponse` (the Responses API answers errors as Chat Completions does).
UPDATE_FIXTURES=1 drafts missing expectations only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from provider_runtime.core.types import (
    Message,
    MessageRole,
    ModelCapabilities,
    ModelInfo,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
)
from provider_runtime.providers.openai import OPENAI_CAPABILITIES, decode_openai_error
from provider_runtime.providers.openai.responses.decode import decode_responses_response
from provider_runtime.providers.openai.responses.encode import encode_responses_request
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
CASES = fixture_cases("openai_responses")


def _context(case: Path) -> dict[str, Any]:
    return load_json(case / "context.json") if (case / "context.json").exists() else {}


def _info(case: Path, model: str) -> ModelInfo | None:
    caps = _context(case).get("capabilities")
    if caps is None:
        return None
    return ModelInfo(
        provider="openai", id=model, capabilities=msgspec.convert(caps, ModelCapabilities)
    )


def _requested_model(case: Path) -> str | None:
    if not (case / "canonical_request.json").exists():
        return None
    return str(load_json(case / "canonical_request.json")["model"]).partition("/")[2]


def test_enough_cases_of_each_kind() -> None:
    assert len(fixture_cases("openai_responses", "native_request.json")) >= 9
    assert len(fixture_cases("openai_responses", "native_response.json")) >= 7
    assert len(fixture_cases("openai_responses", "error.json")) >= 6


@pytest.mark.parametrize(
    "case", fixture_cases("openai_responses", "canonical_request.json"), ids=case_id
)
def test_request_encodes_to_native(case: Path) -> None:
    request = msgspec.json.decode(
        (case / "canonical_request.json").read_bytes(), type=ProviderRequest
    )
    ref = request.model_ref()
    assert ref.provider == "openai"

    info = _info(case, ref.id)
    warnings: list[ProviderRuntimeWarning] = []
    if "model_info" in _context(case):
        # The case is about what the model accepts: the runtime's one pass decides from the
        # catalog entry (effort ladder), the encoder trusts the result.
        info = msgspec.convert(_context(case)["model_info"], ModelInfo)
    if "model_info" in _context(case) or _context(case).get("capability_pass"):
        # What the target accepts is decided by the runtime's one pass; the encoder trusts it.
        request, warnings = prepare_request(request, ref, info, OPENAI_CAPABILITIES)
    body, encoded = encode_responses_request(request, ref.id, info=info)
    warnings += encoded

    validate_request(SPEC, "/responses", body)
    assert body["store"] is False  # stateless, always
    assert msgspec.json.decode(msgspec.json.encode(body)) == body  # plain JSON only
    assert_matches_or_update(case / "native_request.json", body)
    actual = msgspec.to_builtins(warnings)
    if actual or (case / "expected_warnings.json").exists():
        assert_matches_or_update(case / "expected_warnings.json", actual)


@pytest.mark.parametrize(
    "case", fixture_cases("openai_responses", "native_response.json"), ids=case_id
)
def test_native_response_decodes_to_canonical(case: Path) -> None:
    raw = (case / "native_response.json").read_bytes()
    validate(SPEC, "Response", json.loads(raw))

    response = decode_responses_response(
        raw, provider="openai", requested_model=_requested_model(case)
    )

    assert_matches_or_update(case / "canonical_response.json", msgspec.to_builtins(response))
    expected = msgspec.json.decode(
        (case / "canonical_response.json").read_bytes(), type=ProviderResponse
    )
    assert expected == response  # the expectation is itself a valid canonical response


@pytest.mark.parametrize("case", fixture_cases("openai_responses", "error.json"), ids=case_id)
def test_native_error_maps_to_kind(case: Path) -> None:
    body = load_json(case / "error.json")["body"]
    if isinstance(body, dict):
        validate(SPEC, "ErrorResponse", body)
    assert_error_case(
        case,
        decode_openai_error,
        provider="openai",
        url="https://api.openai.com/v1",
        max_message=400,
    )


def test_decoded_reasoning_replays_byte_identical() -> None:
    """A reasoning item decoded from an answer goes back as the same item, before the call it
    preceded (protocol.md §6 "OpenAI Responses": replay)."""
    case = Path(__file__).parent / "fixtures" / "openai_responses" / "reasoning_output"
    native = load_json(case / "native_response.json")
    answer = decode_responses_response(
        (case / "native_response.json").read_bytes(), provider="openai", requested_model="o3"
    )
    request = ProviderRequest(
        model="openai/o3",
        messages=[
            msgspec.convert({"role": "user", "content": "Weather in Paris?"}, Message),
            Message(role=MessageRole.ASSISTANT, content=list(answer.output.content)),
        ],
    )

    body, warnings = encode_responses_request(request, "o3")

    sent = body["input"][1:]
    original = native["output"]
    assert [i["type"] for i in sent] == ["reasoning", "function_call"]
    keys = ("type", "id", "summary", "encrypted_content")
    assert sent[0] == {k: original[0][k] for k in keys}
    assert msgspec.json.encode(sent[0]) == msgspec.json.encode({k: original[0][k] for k in keys})
    assert {k: sent[1][k] for k in ("call_id", "name", "arguments")} == {
        k: original[1][k] for k in ("call_id", "name", "arguments")
    }
    assert warnings == []
