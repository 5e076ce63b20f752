"""The bare Litestar proxy the ``/execute`` figures are compared with.

One route, ``POST /proxy/{path}``, that forwards the body to the upstream with the
same pooled client the exec-api uses (``create_upstream_client``) and returns the
upstream's JSON: no auth, no policy, no validation, no idempotency, no middleware.
Served by granian with one worker, as the exec-api is: ``python -m bench.proxy``
with ``BENCH_PROXY_PORT`` and ``BENCH_UPSTREAM_URL`` set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, get, post

from orchestrator.core.http.serve import serve
from orchestrator.core.settings import UpstreamSettings
from orchestrator.core.upstream.client import Timeouts, UpstreamClient, UpstreamRequest
from orchestrator.core.upstream.factory import create_upstream_client

TIMEOUTS = Timeouts(connect_s=2.0, read_s=10.0, total_s=30.0)
JSON_HEADERS = {"Content-Type": "application/json"}


def create_app() -> Litestar:
    """The proxy app; the upstream client opens in the lifespan, as the exec-api's does."""
    upstream = os.environ["BENCH_UPSTREAM_URL"].rstrip("/")
    clients: list[UpstreamClient] = []

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        clients.append(create_upstream_client(UpstreamSettings(allow_loopback=True)))
        try:
            yield
        finally:
            await clients[0].close()

    @post("/proxy/{path:path}", status_code=200)
    async def proxy(request: Request[Any, Any, Any], path: str) -> Response[bytes]:
        """Forward the POST body to ``upstream/path``; answer the upstream's JSON."""
        body = await request.body()
        answer = await clients[0].request(
            UpstreamRequest("POST", upstream + path, JSON_HEADERS, body), TIMEOUTS
        )
        return Response(answer.body, status_code=answer.status, media_type="application/json")

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    return Litestar(
        route_handlers=[proxy, health], lifespan=[lifespan], logging_config=None, debug=False
    )


if __name__ == "__main__":
    serve("bench.proxy:create_app", host="127.0.0.1", port=int(os.environ["BENCH_PROXY_PORT"]))
