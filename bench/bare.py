"""The bare endpoint the ingest figures are compared with.

``POST /webhooks/{source_id}`` reads the body and answers 200 with the ingress's JSON:
no lookup, no verification, no database, no middleware. Served by granian with one
worker, as the ingress is: ``python -m bench.bare`` with ``BENCH_BARE_PORT`` set.
"""

from __future__ import annotations

import os
from typing import Any

from litestar import Litestar, Request, Response, get, post

from orchestrator.core.http.serve import serve

ACCEPTED = b'{"status":"accepted"}'


def create_app() -> Litestar:
    """The bare app."""

    @post("/webhooks/{source_id:str}", status_code=200, request_max_body_size=None)
    async def receive(request: Request[Any, Any, Any], source_id: str) -> Response[bytes]:
        """Read the delivery, answer 200."""
        await request.body()
        return Response(ACCEPTED, media_type="application/json")

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    return Litestar(route_handlers=[receive, health], logging_config=None, debug=False)


if __name__ == "__main__":
    serve("bench.bare:create_app", host="127.0.0.1", port=int(os.environ["BENCH_BARE_PORT"]))
