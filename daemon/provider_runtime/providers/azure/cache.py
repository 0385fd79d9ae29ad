"""What Azure OpenAI honours of the cache intent (data), per its prompt-caching guide.

https://learn.microsoft.com/en-us/azure/foundry/openai/how-to/prompt-caching: caching is
automatic for GPT-4o and newer; ``prompt_cache_key`` is "combined with the prefix hash" to
improve hit rates; ``prompt_cache_retention`` goes on the Responses or Chat Completions API,
``24h`` (extended) for the models the guide lists and the default of every newer one. The
guide documents no explicit breakpoints and no ``prompt_cache_options``, so breakpoints and
``cache_retention: none`` are not honoured. The model id is the deployment name, so the
per-model rule holds for deployments named after their model. The dated ``api_version`` form
takes neither field (its references predate them; Azure refuses an argument it does not know
with "Unrecognized request argument supplied"): nothing is honoured there.
"""

from __future__ import annotations

from ...core.types import CacheSupport

__all__ = ["AZURE_CACHE_DATED", "AZURE_CACHE_V1", "azure_cache"]

_DATED = r"(?:-\d{4}-\d{2}-\d{2})?$"
# The guide's list (gpt-5.4 down to gpt-4.1), and every model after gpt-5.4, where 24h is the
# default ("for all newer models, the default is 24h and in_memory isn't supported").
_EXTENDED = (
    r"^(?:gpt-5\.4|gpt-5\.3-codex|gpt-5\.2|gpt-5\.1(?:-codex(?:-max|-mini)?|-chat)?"
    r"|gpt-5(?:-codex)?|gpt-4\.1)"
    + _DATED
    + r"|^gpt-(?:5\.(?:[5-9]|[1-9]\d)|[6-9](?:\.\d+)?)(?:[.-]|$)"
)

AZURE_CACHE_V1: tuple[CacheSupport, ...] = (
    CacheSupport(models=_EXTENDED, cache_key=True, retention=("extended",)),
    CacheSupport(cache_key=True),
)
AZURE_CACHE_DATED: tuple[CacheSupport, ...] = (CacheSupport(),)


def azure_cache(api_version: str | None) -> tuple[CacheSupport, ...]:
    """The cache support of the v1 API (no ``api_version``) or of the dated form."""
    return AZURE_CACHE_V1 if api_version is None else AZURE_CACHE_DATED
