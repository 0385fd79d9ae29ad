"""The AWS service model copy (tests/specs/bedrock-runtime.json) and botocore's own validator.

Bedrock publishes no OpenAPI: its reference is the botocore/Smithy service model, so request
and response bodies are checked by botocore's ``ParamValidator`` against the operation's shapes
(blobs are base64 text in JSON, which the validator accepts as strings).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from botocore.model import ServiceModel, Shape
from botocore.validate import ParamValidator

__all__ = ["validate_converse_request", "validate_shape"]

SPEC = Path(__file__).resolve().parent / "specs" / "bedrock-runtime.json"


@functools.cache
def _model() -> ServiceModel:
    return ServiceModel(json.loads(SPEC.read_text(encoding="utf-8")), "bedrock-runtime")


def _check(value: Any, shape: Shape) -> None:
    report = ParamValidator().validate(value, shape)
    assert not report.has_errors(), report.generate_report()


def validate_converse_request(model_id: str, body: Any, operation: str = "Converse") -> None:
    """``body`` with its path's ``modelId`` is a valid input of ``operation``."""
    _check({**body, "modelId": model_id}, _model().operation_model(operation).input_shape)


def validate_shape(name: str, value: Any) -> None:
    """``value`` matches the named shape (``ConverseResponse``, ``CountTokensResponse``...)."""
    _check(value, _model().shape_for(name))
