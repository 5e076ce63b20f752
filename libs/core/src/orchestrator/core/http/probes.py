"""Liveness, readiness and metrics endpoints, identical on every service."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get

from orchestrator.core.errors import ServiceUnavailable
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.observability.metrics import render_latest
from orchestrator.core.runtime import Resources


class Health(msgspec.Struct, frozen=True):
    """Liveness answer."""

    status: str


class Readiness(msgspec.Struct, frozen=True):
    """Readiness answer: each dependency's state."""

    status: str
    database: bool
    redis: bool


@get("/health", include_in_schema=True, tags=["probes"], sync_to_thread=False)
def health() -> Health:
    """The process is alive."""
    return Health(status="ok")


@get("/ready", tags=["probes"], responses=problem_responses(503))
async def ready(request: Request[Any, Any, Any]) -> Readiness:
    """The database and Redis are reachable; 503 otherwise."""
    resources: Resources = request.app.state.resources
    database, redis = await asyncio.gather(resources.database_ready(), resources.redis_ready())
    if not (database and redis):
        raise ServiceUnavailable(
            "A dependency is unreachable.",
            headers={"Retry-After": str(resources.settings.deployment.retry_after_s)},
            database=database,
            redis=redis,
        )
    return Readiness(status="ready", database=database, redis=redis)


@get("/metrics", tags=["probes"], media_type=MediaType.TEXT, sync_to_thread=False)
def metrics() -> Response[bytes]:
    """Prometheus exposition."""
    body, content_type = render_latest()
    return Response(body, media_type=content_type)


PROBE_HANDLERS = [health, ready, metrics]
