"""Transport: request execution, retry and timeouts. No translation, no routing."""

from . import http
from .http import HttpResponse, HttpTransport, RetryPolicy, map_httpx_error, parse_retry_after

__all__ = [
    "HttpResponse",
    "HttpTransport",
    "RetryPolicy",
    "http",
    "map_httpx_error",
    "parse_retry_after",
]
