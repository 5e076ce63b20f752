"""The console: server-rendered pages over the control-api and exec-api (ADR 0062)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ASGIApp
from loguru import logger
from redis.asyncio import Redis
from redis.exceptions import RedisError

from orchestrator.console.apischema import ApiSchemas
from orchestrator.console.backend import Backend
from orchestrator.console.context import provide_console
from orchestrator.console.errors import ApiProblem, ApiUnavailable
from orchestrator.console.failures import EXCEPTION_HANDLERS
from orchestrator.console.oidc import lifespan as oidc_lifespan
from orchestrator.console.oidc import sso_callback, sso_start
from orchestrator.console.pages import PAGES
from orchestrator.console.probes import PROBES
from orchestrator.console.render import template_engine
from orchestrator.console.security import harden
from orchestrator.console.sessions import SessionStore
from orchestrator.console.settings import Settings, get_settings
from orchestrator.console.signin import (
    end_tokens,
    session_check,
    sign_in,
    sign_in_form,
    sign_out,
)
from orchestrator.core.background import cancel_quietly
from orchestrator.core.http import dependency_cleanup
from orchestrator.core.http.guard import RequestGuard
from orchestrator.core.http.observe import ObserveMiddleware
from orchestrator.core.observability.logging import configure_logging, flush_logs

STATIC = Path(__file__).parent / "static"


async def sweep_ended_sessions(app: Litestar) -> None:
    """Revoke the tokens of sessions that ended by idling or expiry, once each."""
    settings: Settings = app.state.settings
    store: SessionStore = app.state.sessions
    while True:
        await asyncio.sleep(settings.console.sweep_interval_s)
        try:
            for session in await store.claim_ended(time.time()):
                await end_tokens(app.state.backend, session, "console session ended")
        except (RedisError, ApiProblem, ApiUnavailable, OSError) as exc:
            logger.warning("session sweep: {}", exc)


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Redis for sessions, one HTTP pool for the APIs, and the sweeper."""
    settings: Settings = app.state.settings
    configure_logging(settings.log, "console")
    redis = Redis.from_url(settings.redis.require_url(), **settings.redis.client_options())
    options = settings.console
    app.state.redis = redis
    app.state.backend = Backend(
        options.control_api_url, options.exec_api_url, options.api_timeout_s
    )
    app.state.schemas = ApiSchemas(app.state.backend)
    app.state.sessions = SessionStore(redis, settings.redis.namespace, options.session_idle_s)
    sweeper = asyncio.create_task(sweep_ended_sessions(app))
    try:
        yield
    finally:
        await cancel_quietly(sweeper)
        await app.state.backend.close()
        await redis.aclose()
        flush_logs()


def create_app() -> ASGIApp:
    """Build the console ASGI app."""
    settings = get_settings()
    dependency_cleanup.install()
    app = Litestar(
        route_handlers=[
            *PROBES,
            sign_in_form,
            sign_in,
            sso_start,
            sso_callback,
            sign_out,
            session_check,
            *PAGES,
            create_static_files_router(
                path="/static",
                directories=[STATIC],
                cache_control=CacheControlHeader(max_age=3600, private=True),
                include_in_schema=False,
            ),
        ],
        lifespan=[lifespan, oidc_lifespan],
        template_config=TemplateConfig(instance=template_engine()),
        # Resolved only for the handlers that take a ``console``: the pages, sign-out, /session.
        dependencies={"console": Provide(provide_console)},
        exception_handlers=EXCEPTION_HANDLERS,
        after_request=harden,
        request_max_body_size=settings.deployment.max_body_bytes,
        openapi_config=None,
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    deployment = settings.deployment
    guarded = RequestGuard(
        app,
        deadline_s=max(deployment.request_deadline_s, 2 * settings.console.api_timeout_s),
        retry_after_s=deployment.retry_after_s,
        drain_cap=max(4 * deployment.max_body_bytes, 1 << 20),
    )
    return ObserveMiddleware(guarded, service="console", access_log=settings.log.access)
