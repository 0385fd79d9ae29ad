"""AWS Signature Version 4 for Bedrock, by botocore (the reference implementation), on demand.

botocore is the optional extra ``provider-runtime[bedrock]``: it is imported when the first
request is signed, never at start-up. Credentials come from its standard chain (environment,
shared config and credentials files and profiles, SSO, container and instance roles); they are
refreshed by botocore as they near expiry and never reach a log or an error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from ...core.errors import ConfigError
from ..http import PreparedRequest

__all__ = ["SIGNING_NAME", "SigV4Signer"]

SIGNING_NAME = "bedrock"  # the service model's signingName
_EXTRA = "pip install 'provider-runtime[bedrock]'"


def _botocore() -> tuple[Any, Any, Any]:
    """``(SigV4Auth, AWSRequest, Session)``; a ConfigError naming the extra when absent."""
    try:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.session import Session
    except ImportError:
        raise ConfigError(
            "signing Bedrock requests with AWS credentials (SigV4) needs botocore: "
            f"run `{_EXTRA}`, or set AWS_BEARER_TOKEN_BEDROCK to use a Bedrock API key instead"
        ) from None
    # Its debug logs quote the canonical request, session token included: never shown.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    return SigV4Auth, AWSRequest, Session


class SigV4Signer:
    """The ``Auth.signer`` of Bedrock when no API key is configured.

    ``profile`` names a profile of the shared AWS config (else ``AWS_PROFILE`` / default);
    ``credentials`` replaces the chain (tests). The credential chain is resolved once, in a
    worker thread (it may read files or call a metadata service).
    """

    def __init__(
        self,
        *,
        provider: str,
        region: str,
        profile: str | None = None,
        credentials: Any = None,
    ) -> None:
        self._provider = provider
        self._region = region
        self._profile = profile
        self._credentials = credentials

    def __repr__(self) -> str:
        return f"SigV4Signer(region={self._region!r}, profile={self._profile!r})"

    async def __call__(self, request: PreparedRequest) -> Mapping[str, str]:
        sigv4_auth, aws_request, session = _botocore()
        if self._credentials is None:
            self._credentials = await asyncio.to_thread(self._resolve, session)
        try:
            frozen = await asyncio.to_thread(self._credentials.get_frozen_credentials)
        except Exception as exc:  # a refresh that failed: SSO expired, a role not assumable
            raise self._unusable(exc) from None
        signed = aws_request(
            method=request.method, url=request.url, headers=dict(request.headers), data=request.body
        )
        sigv4_auth(frozen, SIGNING_NAME, self._region).add_auth(signed)
        names = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")
        return {name: signed.headers[name] for name in names if name in signed.headers}

    def _resolve(self, session: Any) -> Any:
        try:
            credentials = session(profile=self._profile).get_credentials()
        except Exception as exc:  # botocore's own: an unknown profile, an unreadable file
            raise self._unusable(exc) from None
        if credentials is None:
            raise ConfigError(
                f"no credential for provider `{self._provider}`: set AWS_BEARER_TOKEN_BEDROCK "
                "(a Bedrock API key), or AWS credentials (AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO or an instance role)"
            )
        return credentials

    def _unusable(self, exc: Exception) -> ConfigError:
        # botocore's messages name profiles and files, never secret values
        return ConfigError(
            f"the AWS credentials of provider `{self._provider}` could not be loaded "
            f"({type(exc).__name__}: {exc}); check AWS_PROFILE or `aws configure`, or set "
            "AWS_BEARER_TOKEN_BEDROCK"
        )
