"""Check a request against the target model's known capabilities; adapt it and say so.

Only a capability the catalog marks as absent (``False``) changes anything: unknown (``None``)
means the request is sent as given and the provider decides.
"""

from __future__ import annotations

import msgspec

from ..core.types import (
    JsonFormat,
    JsonSchemaFormat,
    ModelInfo,
    ProviderCapabilities,
    ProviderRequest,
    ProviderRuntimeWarning,
)

__all__ = ["adapt_to_capabilities"]


def adapt_to_capabilities(
    request: ProviderRequest, info: ModelInfo | None, provider: ProviderCapabilities
) -> tuple[ProviderRequest, list[ProviderRuntimeWarning]]:
    model = info.capabilities if info is not None else None
    warnings: list[ProviderRuntimeWarning] = []
    changes: dict[str, object] = {}
    name = f"{info.provider}/{info.id}" if info is not None else "the target model"

    if request.tools and (not provider.tools or (model is not None and model.tools is False)):
        changes.update(tools=[], tool_choice=None)
        warnings.append(
            ProviderRuntimeWarning(
                code="capability.tools_removed",
                message=f"{name} does not support tools; {len(request.tools)} tool(s) not sent",
                details={"tools": [t.name for t in request.tools]},
            )
        )

    fmt = request.response_format
    if isinstance(fmt, JsonSchemaFormat) and (
        not provider.json_schema or (model is not None and model.json_schema is False)
    ):
        if provider.json_mode:
            changes["response_format"] = JsonFormat()
            message = f"{name} does not support JSON schemas; asked for plain JSON output instead"
        else:
            changes["response_format"] = None
            message = f"{name} supports no structured output; response_format not sent"
        warnings.append(
            ProviderRuntimeWarning(
                code="capability.json_schema_downgraded",
                message=message,
                details={"schema_name": fmt.name},
            )
        )
    elif isinstance(fmt, JsonFormat) and not provider.json_mode and not provider.json_schema:
        changes["response_format"] = None
        warnings.append(
            ProviderRuntimeWarning(
                code="capability.json_mode_removed",
                message=f"{name} supports no JSON mode; response_format not sent",
            )
        )

    if request.reasoning is not None and (
        not provider.reasoning or (model is not None and model.reasoning is False)
    ):
        changes["reasoning"] = None
        warnings.append(
            ProviderRuntimeWarning(
                code="capability.reasoning_removed",
                message=f"{name} does not support reasoning settings; `reasoning` not sent",
            )
        )

    if changes:
        request = msgspec.structs.replace(request, **changes)
    return request, warnings
