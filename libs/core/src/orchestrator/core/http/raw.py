"""Answering a stored value raw: its own bytes, not a JSON view of them (ADR 0112).

A value kept inline is one response; one in the payload store streams from the bucket as
each piece is verified (``payloads.process.serve_stored``). Either declares its length, so
a stream that fails a check part-way ends short and no client takes it for the whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Response
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Stream

from orchestrator.core.http.problems import PROBLEM_MEDIA_TYPE, ProblemDetails
from orchestrator.core.payloads.process import Served

JSON = "application/json"
OCTETS = "application/octet-stream"
RAW_HEADERS = {
    # A raw value is data, never a page: no sniffing it into HTML, no scripts if opened.
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "no-store",
}


def raw_response(
    served: Served, media_type: str, headers: Mapping[str, str] | None = None
) -> Response[Any]:
    """The response carrying ``served``'s bytes as ``media_type``."""
    merged = {**RAW_HEADERS, **(headers or {}), "Content-Length": str(served.size)}
    if isinstance(served.content, bytes):
        return Response(served.content, media_type=media_type, headers=merged)
    return Stream(served.content, media_type=media_type, headers=merged)


def raw_spec(description: str, media_type: str = JSON) -> dict[int, ResponseSpec]:
    """The OpenAPI ``200`` of a route answering a raw value (any JSON value, or bytes), and
    its ``502``: a stored value that fails its check is not served."""
    return {
        200: ResponseSpec(
            data_container=Any if media_type == JSON else bytes,
            media_type=media_type,
            description=description,
            generate_examples=False,
        ),
        502: ResponseSpec(
            data_container=ProblemDetails,
            media_type=PROBLEM_MEDIA_TYPE,
            description="The value is in the payload store and fails its check there",
            generate_examples=False,
        ),
    }
