"""The one way every HTTP service is assembled."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request, Response
from litestar.exceptions import ImproperlyConfiguredException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.types import ASGIApp, ControllerRouterHandler
from loguru import logger

from orchestrator.core.deadline import DEADLINE_KEY, allow
from orchestrator.core.errors import UnsupportedMediaType
from orchestrator.core.http import dependency_cleanup
from orchestrator.core.http.auth import GUARDS_KEY, run_guards
from orchestrator.core.http.deadline import DEPENDENCY_HANDLERS
from orchestrator.core.http.fast_path import FastRoute, FastRoutes
from orchestrator.core.http.guard import RequestGuard
from orchestrator.core.http.observe import ObserveMiddleware
from orchestrator.core.http.openapi import ClosedStructSchemaPlugin
from orchestrator.core.http.probes import PROBE_HANDLERS
from orchestrator.core.http.problems import EXCEPTION_HANDLERS
from orchestrator.core.jsonbounds import refuse_unparseable
from orchestrator.core.observability.logging import configure_logging, flush_logs
from orchestrator.core.observability.redaction import deployment_secrets
from orchestrator.core.observability.tracing import configure_tracing
from orchestrator.core.payloads.process import configure_payloads
from orchestrator.core.runtime import OpenExecution, open_resources
from orchestrator.core.settings import CoreSettings

if TYPE_CHECKING:
    from orchestrator.core.http.observe import ImpersonatedChange

JSON = "application/json"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _is_json(media_type: str) -> bool:
    return media_type == JSON or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def check_content_type(request: Request[Any, Any, Any]) -> None:
    """Refuse a body in a media type the route does not take, before it is parsed.

    A route takes JSON unless its ``opt["content_types"]`` says otherwise.
    """
    if request.method not in BODY_METHODS:
        return
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    if not has_body:
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    accepted: Sequence[str] = request.route_handler.opt.get("content_types", (JSON,))
    if media_type in accepted or (JSON in accepted and _is_json(media_type)):
        return
    raise UnsupportedMediaType(f"Send the body as {' or '.join(accepted)}.")


def answer_options(request: Request[Any, Any, Any]) -> Response[None]:
    """``204`` with an ``Allow`` header listing every method of the path.

    Litestar 2's own OPTIONS handler lists only the methods registered before it was
    made (litestar#4169), so a controller's POST + GET collection said ``OPTIONS, POST``.
    """
    template = request.scope.get("path_template")
    methods = next(
        (
            route.methods
            for route in request.app.routes
            if isinstance(route, HTTPRoute) and route.path_format == template
        ),
        {"OPTIONS"},
    )
    return Response(
        None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": ", ".join(sorted(methods))}
    )


async def check_json_body(request: Request[Any, Any, Any]) -> None:
    """Refuse a JSON body nested deeper than ``ORCH_MAX_JSON_DEPTH`` (400 ``json-too-deep``)
    or not UTF-8 (400) before it is parsed; past ``ORCH_MAX_BODY_BYTES`` reading it is a 413.

    Only a route that takes a JSON ``data`` body reads one here; the framework then parses
    the same bytes, read once.
    """
    if request.method not in BODY_METHODS:
        return
    handler = request.route_handler
    if "data" not in handler.parsed_fn_signature.parameters:
        return
    if JSON not in handler.opt.get("content_types", (JSON,)):
        return
    limit = request.app.state.resources.settings.deployment.max_json_depth
    refuse_unparseable(await request.body(), limit)


async def before_request(request: Request[Any, Any, Any]) -> Response[None] | None:
    """Answer OPTIONS ourselves; run the route's guards; refuse a body of the wrong type or
    nested too deeply."""
    if request.method == "OPTIONS" and request.route_handler.handler_name == "options_handler":
        return answer_options(request)
    budget = request.route_handler.opt.get(DEADLINE_KEY)
    if budget is not None:
        allow(budget)
    await run_guards(request)
    await check_content_type(request)
    await check_json_body(request)
    return None


def check_guards_run(app: Litestar) -> None:
    """Refuse to start if a route's guards would not run: every route must keep the app's
    ``before_request`` (a handler's own would replace it), and none may use Litestar's
    ``guards=`` (one mechanism: ``guarded``)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            if handler.resolve_guards():
                raise ImproperlyConfiguredException(
                    f"{handler.handler_name}: declare guards with opt=guarded(...)"
                )
            if handler.opt.get(GUARDS_KEY) and handler.resolve_before_request() is not (
                before_request
            ):
                raise ImproperlyConfiguredException(
                    f"{handler.handler_name}: its own before_request would skip its guards"
                )


def create_service_app(
    *,
    service: str,
    title: str,
    settings: CoreSettings,
    route_handlers: Sequence[ControllerRouterHandler],
    signs_tokens: bool = False,
    executes: OpenExecution | None = None,
    security_schemes: Mapping[str, SecurityScheme] | None = None,
    lifespans: Sequence[Callable[[Litestar], AbstractAsyncContextManager[None]]] = (),
    fast_routes: Mapping[tuple[str, str], FastRoute] | None = None,
    on_impersonated: ImpersonatedChange | None = None,
) -> ASGIApp:
    """A Litestar app with probes, problem+json errors, metrics and request ids.

    Routes name ``bearer`` (an access token) or one of ``security_schemes`` in ``security``.
    ``lifespans`` run once the resources are open (``app.state.resources``) and end
    before they close. ``fast_routes`` serve the common case of a hot route without the
    framework (``fast_path.py``); each must match a route of ``route_handlers``.
    ``on_impersonated`` runs before a successful change made with an impersonation token
    is answered. ``executes`` opens the exec plane for a service that runs operations.
    """

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        configure_logging(settings.log, service, secrets=deployment_secrets(settings))
        configure_tracing(settings.tracing, service)
        configure_payloads(settings)
        app.state.resources = await open_resources(
            settings, signs_tokens=signs_tokens, executes=executes
        )
        # Built once, before the service is ready: rendering it on the first request holds
        # the event loop for up to a second, and every request waiting behind it.
        _ = app.openapi_schema
        # Everything alive now (modules, app, pools) lives as long as the process: keep it
        # out of the collector's generations, so a full collection under load does not
        # walk some 200k objects that can never be garbage.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await app.state.resources.close()
            flush_logs()

    dependency_cleanup.install()
    app = Litestar(
        route_handlers=[*PROBE_HANDLERS, *route_handlers],
        lifespan=[lifespan, *lifespans],
        exception_handlers={**EXCEPTION_HANDLERS, **DEPENDENCY_HANDLERS},
        before_request=before_request,
        request_max_body_size=settings.deployment.max_body_bytes,
        plugins=[ClosedStructSchemaPlugin()],
        openapi_config=OpenAPIConfig(
            title=title,
            version="1.0.0",
            path="/schema",
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                    **(security_schemes or {}),
                }
            ),
        ),
        logging_config=None,
        debug=False,
    )
    check_guards_run(app)
    served: ASGIApp = app
    if fast_routes and settings.deployment.fast_routes:
        check_fast_routes(app, fast_routes)
        served = FastRoutes(app, fast_routes)
    deployment = settings.deployment
    served = RequestGuard(  # NUL in the request line, the deadline, an unread body
        served,
        deadline_s=deployment.request_deadline_s,
        retry_after_s=deployment.retry_after_s,
        drain_cap=max(4 * deployment.max_body_bytes, 1 << 20),
    )
    # An access line below the log level would be built (bind, record) only to be dropped.
    logs_info = logger.level(settings.log.level.upper()).no <= logger.level("INFO").no
    return ObserveMiddleware(
        served,
        service=service,
        access_log=settings.log.access and logs_info,
        on_impersonated=on_impersonated,
    )


def check_fast_routes(app: Litestar, fast_routes: Mapping[tuple[str, str], FastRoute]) -> None:
    """Refuse a fast route without the framework route it falls back to (and documents)."""
    for method, path in fast_routes:
        if not any(
            isinstance(route, HTTPRoute) and method in route.methods and route.path_format == path
            for route in app.routes
        ):
            raise ImproperlyConfiguredException(f"fast route {method} {path} has no route")
