"""``POST /webhooks/{source_id}``: look up, limit, read, verify, store, answer.

Each step refuses as early and as cheaply as it can: an unknown source before anything
is read, a declared size before the body, a rate limit before the body, a bad
signature before any parsing or writing. A verified delivery is answered ``200`` only
once its inbox row committed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import psycopg
from litestar import Request, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.types import Scope
from loguru import logger
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from orchestrator.core.errors import JsonTooDeep, RateLimited, ServiceUnavailable
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.observability.context import tenant_id_var
from orchestrator.core.webhooks.headers import keep_headers
from orchestrator.core.webhooks.inbox import Delivery, new_delivery
from orchestrator.core.webhooks.lookup import SourcePlan
from orchestrator.core.webhooks.verify import Rejection, check
from orchestrator.webhook_ingress.bodies import forget_unwritten, offloaded
from orchestrator.webhook_ingress.ingress import Ingress, ingress_of
from orchestrator.webhook_ingress.metrics import UNKNOWN_PROVIDER, Outcome, count, count_rejection
from orchestrator.webhook_ingress.problems import (
    DeliveryTooLarge,
    DeliveryUnverified,
    SourceNotFound,
)
from orchestrator.webhook_ingress.schemas import (
    ACCEPTED,
    DUPLICATE,
    RawBodyOperation,
    WebhookAck,
)

JSON = "application/json"
RETRY_SOON = {"Retry-After": "1"}
UNREACHABLE = (DBAPIError, PoolTimeout, psycopg.OperationalError, psycopg.InterfaceError)
"""The database failed, went away or gave no connection (the source lookup's pool, the
writer's own connection): a 503 the provider retries."""


async def _accept_any_body(_: Request[Any, Any, Any]) -> None:
    """A provider sends its own media type (JSON, a form, …): none is refused here."""


async def _source(ingress: Ingress, source_id: str) -> SourcePlan:
    try:
        parsed = uuid.UUID(source_id)
    except ValueError:
        parsed = None
    try:
        source = None if parsed is None else await ingress.sources.get(parsed)
    except UNREACHABLE as exc:
        logger.warning("webhook source {} not loaded: {!r}", source_id, exc)
        count(UNKNOWN_PROVIDER, Outcome.UNAVAILABLE)
        raise ServiceUnavailable("The delivery cannot be taken now.", headers=RETRY_SOON) from None
    if source is None:
        count(UNKNOWN_PROVIDER, Outcome.NOT_FOUND)
        raise SourceNotFound
    return source


async def _body(request: Request[Any, Any, Any], limit: int) -> bytes | None:
    """The whole body, or ``None`` as soon as it is known to pass ``limit`` (the rest is
    never read, whatever ``Content-Length`` claimed)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def headers_of(scope: Scope) -> dict[str, str]:
    """An ASGI scope's headers by (lower-case) name; a repeated one keeps its last value."""
    # ASGI names are lower-case already; cheaper than Litestar's multi-dict, built for
    # one lookup here and the verifier's.
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


def _declared_size(headers: dict[str, str]) -> int:
    value = headers.get("content-length", "")
    return int(value) if value.isdigit() else 0


def _too_large(source: SourcePlan) -> DeliveryTooLarge:
    count(source.provider, Outcome.TOO_LARGE)
    return DeliveryTooLarge(f"This source takes bodies of up to {source.max_body_bytes} bytes.")


@post(
    "/webhooks/{source_id:str}",
    status_code=200,
    tags=["webhooks"],
    security=[],
    before_request=_accept_any_body,
    # Each source has its own limit, enforced while streaming (see ``_body``).
    request_max_body_size=None,
    operation_class=RawBodyOperation,
    responses={
        200: ResponseSpec(
            WebhookAck,
            description="Verified and stored (or stored before); a Slack url_verification "
            "is answered with its challenge",
            generate_examples=False,
        ),
        **problem_responses(400, 401, 404, 413, 429, 503),
    },
)
async def receive_webhook(
    request: Request[Any, Any, Any], source_id: FromPath[str]
) -> Response[bytes]:
    """Take one provider delivery for the source ``source_id``.

    401 for any signature problem (the body never says which), 404 for an unknown or
    disabled source, 413 over the source's ``max_body_bytes``, 429 over its
    ``rate_limit_per_s`` (``Retry-After``), 400 ``json-too-deep`` for a verified JSON body
    nested deeper than ``ORCH_MAX_JSON_DEPTH`` (not stored), 503
    ``payload-store-unavailable`` when a body past the payload threshold cannot be put to
    the payload store (``Retry-After``). A duplicate of a stored event is a 200 that
    writes nothing.
    """
    answer = await take(
        ingress_of(request),
        source_id,
        headers_of(request.scope),
        lambda limit: _body(request, limit),
    )
    return Response(answer, media_type=JSON)


async def take(
    ingress: Ingress,
    source_id: str,
    headers: dict[str, str],
    body_of: Callable[[int], Awaitable[bytes | None]],
) -> bytes:
    """The 200 answer to one delivery, once stored; a ``Problem`` otherwise.

    ``headers`` by lower-case name; ``body_of(limit)`` reads the body, or gives ``None``
    once it is known to pass ``limit``. Shared by the route and its fast path.
    """
    source = await _source(ingress, source_id)
    tenant_id_var.set(str(source.tenant_id))
    provider = source.provider
    if _declared_size(headers) > source.max_body_bytes:
        raise _too_large(source)
    refusal = await ingress.limiter.refusal(source)
    if refusal is not None:
        count(provider, Outcome.RATE_LIMITED)
        raise RateLimited("This webhook source's rate limit is reached.", headers=refusal)
    body = await body_of(source.max_body_bytes)
    if body is None:
        raise _too_large(source)
    try:
        outcome = check(
            source.spec,
            headers,
            body,
            source.secrets,
            now=time.time(),
            max_json_depth=ingress.max_json_depth,
        )
    except JsonTooDeep:
        count(provider, Outcome.TOO_DEEP)
        raise
    if isinstance(outcome, Rejection):
        count_rejection(provider, outcome)
        logger.info("webhook delivery to {} refused: {}", source.id, outcome.value)
        raise DeliveryUnverified
    if outcome.challenge is not None:
        count(provider, Outcome.CHALLENGE)
        return msgspec.json.encode(WebhookAck(challenge=outcome.challenge))
    delivery = new_delivery(
        tenant_id=source.tenant_id,
        source_id=source.id,
        provider=provider,
        dedupe_id=outcome.dedupe_id,
        event_type=outcome.event_type,
        routing=outcome.routing_keys,
        headers=keep_headers(headers, source.keep_headers),
        body=body,
    )
    delivery = await offloaded(ingress.payloads, delivery)
    try:
        stored = await _store(ingress, delivery)
    except BaseException:
        await forget_unwritten(ingress.payloads, delivery)
        raise
    if not stored:  # the event was stored before: this copy's object is nobody's
        await forget_unwritten(ingress.payloads, delivery)
    count(provider, Outcome.ACCEPTED if stored else Outcome.DUPLICATE)
    return ACCEPTED if stored else DUPLICATE


async def _store(ingress: Ingress, delivery: Delivery) -> bool:
    """Whether the delivery is new, once committed; 404 if its source went meanwhile, 503
    if the database did not take it."""
    try:
        return await ingress.inbox.store(delivery)
    except psycopg.errors.ForeignKeyViolation:
        count(delivery.provider, Outcome.NOT_FOUND)  # the source was deleted a moment ago
        raise SourceNotFound from None
    except UNREACHABLE as exc:
        logger.warning("webhook delivery to {} not stored: {!r}", delivery.source_id, exc)
        count(delivery.provider, Outcome.UNAVAILABLE)
        raise ServiceUnavailable("The delivery cannot be taken now.", headers=RETRY_SOON) from None
