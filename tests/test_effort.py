"""The effort ladder: which effort a model gets for the one asked (catalog/effort.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provider_runtime.catalog import effort_for_model, nearest_effort
from provider_runtime.core.types import REASONING_EFFORTS, ModelCapabilities, ReasoningEffort

LEVELS = REASONING_EFFORTS[1:]  # every level but `none`


def pos(effort: ReasoningEffort | None) -> int:
    assert effort is not None
    return REASONING_EFFORTS.index(effort)


# Level sets of real models (research §B.1, §C.3): gpt-5.1 takes none/low/medium/high, gpt-5
# minimal..high, gpt-5.5-pro medium..xhigh, Opus 4.5 low..high, Opus 4.7 low..max.
GPT_5_1 = ModelCapabilities(reasoning_efforts=["low", "medium", "high"], reasoning_off=True)
GPT_5 = ModelCapabilities(
    reasoning_efforts=["minimal", "low", "medium", "high"], reasoning_off=False
)
GPT_5_5_PRO = ModelCapabilities(reasoning_efforts=["medium", "high", "xhigh"], reasoning_off=False)
OPUS_4_7 = ModelCapabilities(
    reasoning_efforts=["low", "medium", "high", "xhigh", "max"], reasoning_off=True
)
FABLE_5 = ModelCapabilities(
    reasoning_efforts=["low", "medium", "high", "xhigh", "max"], reasoning_off=False
)
SONNET_4_5 = ModelCapabilities(reasoning_efforts=[], reasoning_off=True)  # budget only


@pytest.mark.parametrize(
    ("caps", "asked", "applied"),
    [
        (GPT_5_1, "minimal", "low"),  # never turned into `none`: the caller asked for thought
        (GPT_5_1, "none", "none"),
        (GPT_5_1, "xhigh", "high"),
        (GPT_5_1, "max", "high"),
        (GPT_5, "none", "minimal"),  # cannot answer without reasoning: the weakest level
        (GPT_5, "max", "high"),
        (GPT_5, "minimal", "minimal"),
        (GPT_5_5_PRO, "low", "medium"),
        (GPT_5_5_PRO, "max", "xhigh"),
        (OPUS_4_7, "minimal", "low"),  # Anthropic has no `minimal`
        (OPUS_4_7, "none", "none"),  # thinking disabled
        (FABLE_5, "none", "low"),  # thinking always on
        (SONNET_4_5, "high", None),  # takes no effort level (a budget instead)
        (SONNET_4_5, "none", "none"),
    ],
)
def test_effort_for_real_level_sets(caps, asked, applied) -> None:
    assert effort_for_model(asked, caps) == applied


def test_unknown_data_passes_the_asked_effort_through() -> None:
    unknown = ModelCapabilities()
    for asked in REASONING_EFFORTS:
        assert effort_for_model(asked, unknown) == asked
    # levels known, off-ability unknown: `none` goes through for the provider to judge
    assert nearest_effort("none", ["low", "high"], off=None) == "none"
    # cannot turn off, levels unknown or empty: nothing to send (the model's default)
    assert nearest_effort("none", None, off=False) is None
    assert nearest_effort("none", [], off=False) is None


def test_a_tie_goes_to_the_stronger_level() -> None:
    # medium is one step from low and from high; xhigh one step from high and from max
    assert nearest_effort("medium", ["low", "high"], off=False) == "high"
    assert nearest_effort("xhigh", ["minimal", "high", "max"], off=True) == "max"
    assert nearest_effort("low", ["minimal", "medium"], off=True) == "medium"


# ---- properties over every level set

_level_sets = st.lists(st.sampled_from(LEVELS), unique=True).map(
    lambda levels: sorted(levels, key=pos)
)
_offs = st.none() | st.booleans()


@given(asked=st.sampled_from(LEVELS), accepted=_level_sets, off=_offs)
def test_a_level_gets_the_nearest_accepted_level(asked, accepted, off) -> None:
    applied = nearest_effort(asked, accepted, off=off)
    if not accepted:
        assert applied is None
        return
    assert applied in accepted  # never `none`, never a level the model refuses
    distance = abs(pos(applied) - pos(asked))
    assert all(abs(pos(level) - pos(asked)) >= distance for level in accepted)
    if asked in accepted:
        assert applied == asked
    ties = [level for level in accepted if abs(pos(level) - pos(asked)) == distance]
    assert applied == max(ties, key=pos)


@given(a=st.sampled_from(REASONING_EFFORTS), b=st.sampled_from(REASONING_EFFORTS))
def test_more_effort_asked_never_gives_less_applied(a, b) -> None:
    for caps in (GPT_5_1, GPT_5, GPT_5_5_PRO, OPUS_4_7, FABLE_5):
        low, high = sorted((a, b), key=pos)
        assert pos(effort_for_model(low, caps)) <= pos(effort_for_model(high, caps))


@given(accepted=_level_sets, off=_offs)
def test_none_turns_reasoning_off_only_where_it_can(accepted, off) -> None:
    applied = nearest_effort("none", accepted, off=off)
    if off is not False:
        assert applied == "none"
    elif accepted:
        assert applied == accepted[0]  # the weakest level the model accepts
    else:
        assert applied is None


def test_capabilities_reject_badly_formed_effort_lists() -> None:
    import msgspec

    def caps(**fields: object) -> ModelCapabilities:
        return msgspec.convert(fields, ModelCapabilities)

    with pytest.raises(msgspec.ValidationError, match="reasoning_off"):
        caps(reasoning_efforts=["none", "low"])
    with pytest.raises(msgspec.ValidationError, match="weakest first"):
        caps(reasoning_efforts=["high", "low"])
    with pytest.raises(msgspec.ValidationError, match="weakest first"):
        caps(reasoning_efforts=["low", "low"])
    with pytest.raises(msgspec.ValidationError, match="Invalid enum value 'huge'"):
        caps(reasoning_efforts=["huge"])
    with pytest.raises(msgspec.ValidationError, match="each mode once"):
        caps(reasoning_modes=["effort", "effort"])
    ok = caps(reasoning_efforts=[], reasoning_modes=["budget", "adaptive"], reasoning_off=True)
    assert ok.reasoning_efforts == [] and ok.reasoning_modes == ["budget", "adaptive"]
