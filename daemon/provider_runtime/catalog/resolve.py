"""Which provider serves a model reference: the explicit prefix, or the one catalog provider."""

from __future__ import annotations

from collections.abc import Collection

from ..core.errors import RoutingError
from ..core.types import ModelCatalog, ModelRef
from .index import catalog_index

__all__ = ["check_model_reference", "resolve_model_provider"]


def _listing(names: Collection[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def check_model_reference(
    text: str, catalog: ModelCatalog, providers: Collection[str] | None = None
) -> None:
    """Refuse a reference with an empty part (``""``, ``echo/``, ``/echo-1``, ``a//b``).

    The empty part is the error, so the message names it and suggests a whole reference
    built from what was given, never one that keeps the empty part.
    """
    if not text.strip():
        raise RoutingError(
            f"the model is empty; name one as provider/model, e.g. `echo/echo-1` ({_LISTS_MODELS})"
        )
    head, sep, tail = text.partition("/")
    if not sep or all(text.split("/")):
        return
    if not head:
        raise RoutingError(_empty_provider_message(text, tail, catalog, providers))
    if not tail:
        raise RoutingError(
            f"model `{text}` names provider `{head}` but no model after the `/`; "
            f"name one as `{head}/MODEL` (`provider-runtime models --provider {head}` or "
            f"`runtime/models` lists them)"
        )
    raise RoutingError(
        f"model `{text}` has an empty part between two `/`; write provider/model, "
        f"e.g. `{head}/{tail.strip('/')}`"
    )


_LISTS_MODELS = "`provider-runtime models` or `runtime/models` lists the models"


def _empty_provider_message(
    text: str, model_id: str, catalog: ModelCatalog, providers: Collection[str] | None
) -> str:
    listed = catalog_index(catalog).providers_for(model_id)
    offering = [p for p in listed if providers is None or p in providers]
    if offering:
        examples = " or ".join(f"`{p}/{model_id}`" for p in offering)
    else:
        examples = f"`{min(providers)}/{model_id}`" if providers else f"`PROVIDER/{model_id}`"
    configured = f"; configured: {_listing(providers)}" if providers is not None else ""
    return f"model `{text}` has no provider before the `/`; name one, e.g. {examples}{configured}"


def resolve_model_provider(
    model_ref: ModelRef,
    catalog: ModelCatalog,
    providers: Collection[str] | None = None,
) -> str:
    """The provider id for ``model_ref``; ``providers`` (when given) are the configured ones.

    An explicit provider wins without consulting the catalog (the provider may know models the
    catalog does not). A bare id resolves when exactly one provider in the catalog lists it
    (restricted to ``providers``). Otherwise a ``RoutingError`` lists the candidates or says
    how to name a provider.
    """
    if model_ref.provider is not None:
        if providers is not None and model_ref.provider not in providers:
            raise RoutingError(
                f"unknown provider `{model_ref.provider}`; configured: {_listing(providers)}"
            )
        return model_ref.provider
    model_id = model_ref.id
    listed = catalog_index(catalog).providers_for(model_id)
    candidates = listed if providers is None else [p for p in listed if p in providers]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        examples = " or ".join(f"`{p}/{model_id}`" for p in candidates)
        raise RoutingError(
            f"model `{model_id}` is offered by several providers ({', '.join(candidates)}); "
            f"name one explicitly as provider/model, e.g. {examples}",
            candidates=candidates,
        )
    raise RoutingError(_unknown_model_message(model_id, listed, providers))


def _unknown_model_message(
    model_id: str, listed: list[str], providers: Collection[str] | None
) -> str:
    if listed:
        why = f"only providers that are not configured list it ({', '.join(listed)})"
    else:
        why = "no provider in the catalog lists it"
    example = min(providers) if providers else "openai"
    configured = f"; configured: {_listing(providers)}" if providers is not None else ""
    return (
        f"unknown model `{model_id}`: {why}; name the provider explicitly as provider/model, "
        f"e.g. `{example}/{model_id}`{configured}"
    )
