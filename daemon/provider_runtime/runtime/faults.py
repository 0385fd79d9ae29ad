"""Config entries that could not be used: the calls they cover fail before anything is sent."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import NamedTuple

from ..core.errors import ProviderRuntimeError

__all__ = ["EntryFault"]


class EntryFault(NamedTuple):
    """A config entry that could not be used (a price rule, a model): calls it covers fail
    with ``error`` before anything is sent. None covers any provider or model; ``model`` may
    be an ``fnmatch`` glob, as in price rules."""

    provider: str | None
    model: str | None
    error: ProviderRuntimeError

    def covers(self, provider: str | None, model: str) -> bool:
        return (self.provider is None or provider is None or self.provider == provider) and (
            self.model is None or fnmatchcase(model, self.model)
        )
