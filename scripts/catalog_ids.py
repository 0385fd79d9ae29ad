"""Which genai-prices ids become catalog ids for Gemini and Bedrock (used by generate_catalog.py).

genai-prices files prices by label, not always by the id a request names; these rules turn its
``google`` and ``aws`` entries into ids the runtime's ``google`` and ``bedrock`` providers take.

Gemini (``google``): genai-prices' ``google`` provider also prices what Vertex AI serves (Claude
on Vertex, ``-maas`` partner models). Only ids the Gemini API (generativelanguage) names its
models by are kept: ``gemini-*`` and ``gemma-*``, except Vertex's Model-as-a-Service ids
(``-maas``).

Bedrock (``aws``): genai-prices names the in-region price of a model ``regional.<modelId>`` (a
label: that price also holds for the geographic cross-region inference profiles ``us.``,
``eu.``, ``apac.``, ...), and the global profile's price ``global.<modelId>``. Each entry
yields, as Bedrock Converse ids:
- its id without the ``regional.`` label;
- the ids its match rule names outright (``equals`` and ``starts_with`` strings of Bedrock's
  ``[<geography>.]<vendor>.<model>`` form, e.g. ``anthropic.claude-opus-4-7`` beside the label's
  ``...-v1:0``);
- those ids behind each geography prefix the rule names (``us.anthropic.claude-...``): a profile
  is listed only where genai-prices prices it, not guessed for every geography;
(a name the rule gives may be a stem Bedrock does not serve, e.g. a dated id without its
``-v1:0``: it is listed all the same, since the rule prices it and the two sources disagree on
which form some models take); an id is kept only when genai-prices' own lookup
(``Provider.find_model``) resolves it to that entry, so the catalog's price for any id is the
one genai-prices would charge for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Bedrock's cross-region inference-profile prefixes (geographies, and the global profile).
GEOGRAPHIES = ("us", "eu", "apac", "au", "jp", "ca", "us-gov", "in", "global")
_GEO = "|".join(re.escape(g) for g in GEOGRAPHIES)
# `[<geography>.]<vendor>.<model>`: the vendor is one word (anthropic, amazon, meta, ai21, ...).
_BEDROCK_ID = re.compile(rf"^(?:(?P<geo>{_GEO})\.)?[a-z][a-z0-9]*\.[a-z0-9][a-z0-9._:-]*$")
_REGIONAL_LABEL = "regional."
_GEMINI_API_ID = re.compile(r"^(?:gemini|gemma)-")
_VERTEX_ONLY = re.compile(r"-maas$")


def is_gemini_api_id(model_id: str) -> bool:
    """Whether the Gemini API names a model so (``gemini-*``, ``gemma-*``; not Vertex MaaS)."""
    return bool(_GEMINI_API_ID.match(model_id)) and not _VERTEX_ONLY.search(model_id)


def _named(clause: Any, gp_types: Any) -> Iterator[tuple[str, bool]]:
    """Every literal string of a match rule, and whether it names a whole id (equals,
    starts_with) rather than a part of one (contains, ends_with)."""
    if isinstance(clause, gp_types.ClauseEquals):
        yield clause.equals, True
    elif isinstance(clause, gp_types.ClauseStartsWith):
        yield clause.starts_with, True
    elif isinstance(clause, gp_types.ClauseContains):
        yield clause.contains, False
    elif isinstance(clause, gp_types.ClauseEndsWith):
        yield clause.ends_with, False
    elif isinstance(clause, gp_types.ClauseOr):
        for inner in clause.or_:
            yield from _named(inner, gp_types)
    elif isinstance(clause, gp_types.ClauseAnd):
        for inner in clause.and_:
            yield from _named(inner, gp_types)


def _base(model_id: str) -> str:
    """The id without the ``regional.`` label and without a geography prefix."""
    model_id = model_id.removeprefix(_REGIONAL_LABEL)
    match = _BEDROCK_ID.match(model_id)
    if match and match["geo"]:
        return model_id[len(match["geo"]) + 1 :]
    return model_id


def bedrock_candidates(model: Any, gp_types: Any) -> list[str]:
    """The Bedrock ids one genai-prices ``aws`` entry may stand for (before the lookup check)."""
    own = model.id.removeprefix(_REGIONAL_LABEL)
    found = [own]
    bases = [_base(model.id)]
    geographies = set()
    for text, whole in _named(model.match, gp_types):
        match = _BEDROCK_ID.match(text)
        if match is None:
            continue
        if whole:
            found.append(text)
            if not match["geo"]:
                bases.append(text)
        if match["geo"]:
            geographies.add(match["geo"])
    found += [f"{geo}.{base}" for base in bases for geo in GEOGRAPHIES if geo in geographies]
    return [i for i in dict.fromkeys(found) if _BEDROCK_ID.match(i)]


def bedrock_ids(provider: Any, model: Any, gp_types: Any) -> list[str]:
    """The candidates genai-prices' own lookup resolves to ``model``, sorted."""
    return sorted(
        candidate
        for candidate in bedrock_candidates(model, gp_types)
        if model.is_match(candidate) and provider.find_model(candidate) is model
    )
