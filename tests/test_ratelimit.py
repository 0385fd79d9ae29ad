"""Rate-limit headers -> ``RateLimit``: golden header fixtures per provider, the duration
grammar, and that no header value whatsoever makes a parser raise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provider_runtime.core.types import RateLimit
from provider_runtime.providers.ratelimit import (
    RateLimitParser,
    parse_anthropic_rate_limit,
    parse_duration_seconds,
    parse_openai_rate_limit,
    parse_openrouter_rate_limit,
)

from .fixture_util import FIXTURES_DIR, case_id, load_json

PARSERS: dict[str, RateLimitParser] = {
    "openai": parse_openai_rate_limit,
    "anthropic": parse_anthropic_rate_limit,
    "openrouter": parse_openrouter_rate_limit,
}
ROOT = FIXTURES_DIR / "ratelimit"
CASES = sorted(p for p in ROOT.glob("*/*") if p.is_dir())


def test_every_provider_has_golden_cases() -> None:
    for provider in PARSERS:
        assert len([c for c in CASES if c.parent.name == provider]) >= 3, provider


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{case_id(p)}")
def test_golden_headers_give_the_expected_snapshot(case: Path) -> None:
    parse = PARSERS[case.parent.name]
    snapshot = parse(load_json(case / "headers.json"))
    assert msgspec.to_builtins(snapshot) == load_json(case / "expected.json")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("20ms", 0.02),
        ("1m30s", 90.0),
        ("7.66s", 7.66),
        ("1h2m3s", 3723.0),
        ("250us", 0.00025),
        ("60", 60.0),
        (" 2s ", 2.0),
        ("0s", 0.0),
    ],
)
def test_go_durations_are_read(text: str, seconds: float) -> None:
    assert parse_duration_seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "1", "-1s", "1x", "1s2", "1.s", "ms", "1e3s", "inf"])
def test_malformed_durations_are_none(text: str) -> None:
    if text == "1":
        assert parse_duration_seconds(text) == 1.0  # a plain number is seconds
    else:
        assert parse_duration_seconds(text) is None


def test_reset_times_count_from_the_answer_date_not_the_clock() -> None:
    headers = {
        "date": "Mon, 26 May 2025 05:00:04 GMT",
        "anthropic-ratelimit-requests-reset": "2025-05-26T05:01:04Z",
    }
    snapshot = parse_anthropic_rate_limit(headers)
    assert snapshot is not None and snapshot.requests is not None
    assert snapshot.requests.reset_seconds == 60.0  # by the local clock (2026) it would be 0
    later = {**headers, "date": "Mon, 26 May 2025 05:00:34 GMT"}
    again = parse_anthropic_rate_limit(later)
    assert again is not None and again.requests is not None
    assert again.requests.reset_seconds == 30.0


_NAMES = [
    *(
        f"x-ratelimit-{w}-{u}"
        for w in ("limit", "remaining", "reset")
        for u in ("requests", "tokens")
    ),
    *(
        f"anthropic-ratelimit-{u}-{w}"
        for u in ("requests", "tokens", "input-tokens", "output-tokens")
        for w in ("limit", "remaining", "reset")
    ),
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "date",
]
_VALUES = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"[0-9]{1,40}(\.[0-9]{0,5})?(h|m|s|ms|us|ns)?", fullmatch=True),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["Mon, 26 May 2025 05:00:04 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "0", "-0"]),
)


@settings(max_examples=300, deadline=None)
@given(
    headers=st.dictionaries(st.one_of(st.sampled_from(_NAMES), st.text(max_size=10)), _VALUES),
    provider=st.sampled_from(sorted(PARSERS)),
)
def test_no_header_value_makes_a_parser_raise(headers: dict[str, str], provider: str) -> None:
    snapshot: Any = PARSERS[provider](headers)
    assert snapshot is None or isinstance(snapshot, RateLimit)
    if snapshot is not None:
        for part in (
            snapshot.requests,
            snapshot.tokens,
            snapshot.input_tokens,
            snapshot.output_tokens,
        ):
            if part is not None and part.reset_seconds is not None:
                assert part.reset_seconds >= 0
        msgspec.json.encode(snapshot)  # always valid JSON: no NaN or infinity
