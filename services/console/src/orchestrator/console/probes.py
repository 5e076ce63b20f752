"""``/health``, ``/ready`` and ``/metrics``, as on every service."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from litestar import MediaType, Request, Response, get
from redis.exceptions import RedisError

from orchestrator.console.backend import Backend
from orchestrator.core.http.problems import PROBLEM_MEDIA_TYPE, problem_body
from orchestrator.core.observability.metrics import render_latest


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


async def _redis_ready(request: Request[Any, Any, Any]) -> bool:
    try:
        return bool(await request.app.state.redis.ping())
    except (RedisError, OSError):
        return False


async def _control_api_ready(backend: Backend) -> bool:
    try:
        response = await backend.http.get(f"{backend.control_url}/health")
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@get("/ready")
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Redis (sessions) and the control-api are reachable; 503 otherwise."""
    redis, control_api = await asyncio.gather(
        _redis_ready(request), _control_api_ready(request.app.state.backend)
    )
    body: dict[str, Any] = {"redis": redis, "control_api": control_api}
    if redis and control_api:
        return Response({"status": "ready", **body})
    retry_after = str(request.app.state.settings.deployment.retry_after_s)
    return Response(
        problem_body(
            status=503,
            code="dependency-unavailable",
            title="A dependency did not answer in time",
            detail="A dependency is unreachable.",
            instance="/ready",
            **body,
        ),
        status_code=503,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Retry-After": retry_after},
    )


@get("/metrics", media_type=MediaType.TEXT, sync_to_thread=False)
def metrics() -> Response[bytes]:
    """Prometheus exposition."""
    body, content_type = render_latest()
    return Response(body, media_type=content_type)


PROBES = [health, ready, metrics]
