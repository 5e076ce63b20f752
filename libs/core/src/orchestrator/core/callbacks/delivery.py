"""Deliver a finished job's callback: sign, POST, record, and retry with backoff.

One delivery attempt per ``deliver_callback`` message. The job row says whether
a callback is due (``callback_state = 'pending'``) and how many attempts were
made; recording an attempt is a compare-and-set on that count, so a redelivered
message neither posts twice nor schedules a second retry chain.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import msgspec
from loguru import logger
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from orchestrator.core.callbacks.secrets import signing_secrets
from orchestrator.core.callbacks.signing import sign_headers
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events import log as events
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.jobs import public as jobs
from orchestrator.core.jobs.public import Job
from orchestrator.core.observability import tracing
from orchestrator.core.outbox import writer as outbox
from orchestrator.core.outbox.kinds import DELIVER_CALLBACK
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.upstream import traced
from orchestrator.core.upstream.client import (
    Timeouts,
    UpstreamClient,
    UpstreamError,
    UpstreamRefused,
    UpstreamRequest,
)

USER_AGENT = "orchestrator-callbacks/1"
_JITTER = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    """How hard a callback is tried: capped exponential backoff with full jitter."""

    max_attempts: int = 8
    base_delay_s: float = 2.0
    max_delay_s: float = 3600.0
    timeouts: Timeouts = field(default_factory=lambda: Timeouts(2.0, 10.0, 15.0))


def retry_delay(policy: CallbackPolicy, attempt: int, rng: random.Random) -> float:
    """Full jitter after failed attempt ``attempt`` (1-based)."""
    ceiling = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** min(attempt - 1, 60))
    return rng.uniform(0.0, ceiling)


def after_attempt(
    policy: CallbackPolicy,
    attempt: int,
    *,
    delivered: bool,
    final: bool = False,
    rng: random.Random | None = None,
) -> tuple[str, float | None]:
    """The state after attempt ``attempt`` (``delivered``, ``failed`` when it was the last
    or ``final`` says no attempt can succeed, else ``pending``) and, when pending, the
    delay before the next one."""
    if delivered:
        return "delivered", None
    if final or attempt >= policy.max_attempts:
        return "failed", None
    return "pending", retry_delay(policy, attempt, rng or _JITTER)


def message_id(job_id: uuid.UUID, attempts_before_replay: int = 0) -> str:
    """The ``webhook-id``: one per end of a job, the same on every retry, so receivers can
    dedupe. A replayed job's new end is a new message, so its id names the replay."""
    if attempts_before_replay:
        return f"msg_{job_id.hex}_{attempts_before_replay}"
    return f"msg_{job_id.hex}"


def callback_body(job: Job, now: dt.datetime, output: Any) -> bytes:
    """The JSON body: ``{type, timestamp, data}`` (the Standard Webhooks payload shape);
    ``output`` is the job's, read wherever it is kept (``jobs.job_output``)."""
    return msgspec.json.encode(
        {
            "type": f"job.{job.status.value}",
            "timestamp": now.isoformat(),
            "data": {
                "id": str(job.id),
                "status": job.status.value,
                "connector": job.connector,
                "operation": job.operation,
                "attempts": job.attempts,
                "upstream_status": job.upstream_status,
                "output": output,
                "error": job.last_error,
                "created_at": job.created_at.isoformat(),
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            },
        }
    )


def build_request(
    url: str,
    secrets: list[str] | tuple[str, ...],
    msg_id: str,
    timestamp: int,
    body: bytes,
    *,
    content_type: str = "application/json",
) -> UpstreamRequest:
    """The POST of ``body`` to ``url``, signed by each of ``secrets``."""
    headers = {
        "content-type": content_type,
        "user-agent": USER_AGENT,
        **sign_headers(secrets, msg_id, timestamp, body),
    }
    return UpstreamRequest(method="POST", url=url, headers=headers, body=body)


class Posted(NamedTuple):
    """What one POST came to."""

    status: int | None
    """The receiver's status; None when none came."""
    error: str | None
    """Why it failed; None on a 2xx."""
    final: bool = False
    """Nothing was sent and trying again cannot help: the address policy refuses the URL's
    host, or the URL or a header cannot be written."""


async def post_once(
    client: UpstreamClient,
    request: UpstreamRequest,
    timeouts: Timeouts,
    *,
    span_name: str,
    traceparent: str | None,
) -> Posted:
    """One POST in a ``span_name`` span of the trace ``traceparent`` continues (the
    request that made the job or the webhook event)."""
    with tracing.continued_span(span_name, traceparent):
        span, request = traced.start(request)
        try:
            response = await client.request(request, timeouts)
        except UpstreamError as exc:
            tracing.end_client_span(span, None, type(exc).__name__)
            return Posted(
                None, str(exc) or type(exc).__name__, final=isinstance(exc, UpstreamRefused)
            )
        status = response.status
        tracing.end_client_span(span, status, None)
    if not 200 <= status < 300:
        return Posted(status, f"the receiver answered {status}")
    return Posted(status, None)


async def signing_keys(session: AsyncSession, keys: KeyRing) -> list[str]:
    """The keys that sign the session's workspace's messages now, the newest first."""
    return [secret.key for secret in await signing_secrets(session, keys)]


async def record_attempt(
    session: AsyncSession,
    row: ColumnElement[bool],
    state: QueryableAttribute[Any],
    attempts: QueryableAttribute[int],
    attempt: int,
    values: dict[str, Any],
) -> bool:
    """CAS: the ``row`` is still pending (``state``) after ``attempt - 1`` attempts
    (``attempts``), so this is attempt ``attempt``; write its ``values``. False when a
    duplicate message recorded this attempt first."""
    result = await session.execute(
        update(state.class_).where(row, state == "pending", attempts == attempt - 1).values(values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _record(session: AsyncSession, job_id: uuid.UUID, attempt: int, state: str) -> bool:
    """CAS: this is attempt ``attempt`` of a pending callback; the new state."""
    values = {"callback_state": state, "callback_attempts": attempt, "updated_at": func.now()}
    return await record_attempt(
        session, Job.id == job_id, Job.callback_state, Job.callback_attempts, attempt, values
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one ``deliver_callback`` message did."""

    outcome: str
    """``delivered``, ``retry``, ``failed`` (given up) or ``skipped`` (nothing due)."""
    status: int | None = None
    delay_s: float | None = None


Prepared = tuple[UpstreamRequest, str | None]
"""The signed request of an attempt and the trace it continues."""


@dataclass(frozen=True, slots=True)
class Sender:
    """What a signed delivery needs, whatever it delivers: the database, the waker of the
    next attempt's message, the keys that open the signing secrets, and the HTTP client."""

    sessions: async_sessionmaker[AsyncSession]
    notifier: Notifier
    keys: KeyRing
    client: UpstreamClient


@dataclass(frozen=True, slots=True)
class Attempt:
    """What differs between one kind of delivery and another (a job's callback, a webhook
    forward); ``attempt_delivery`` does the rest, the same for both."""

    tenant_id: uuid.UUID
    number: int
    """Which attempt this is (1-based)."""
    span_name: str
    """The span the POST runs in."""
    kind: str
    """The outbox kind of the next attempt's message."""
    label: str
    """What a failed attempt's log line names, e.g. ``callback of job <id>``."""
    prepare: Callable[[AsyncSession], Awaitable[Prepared | None]]
    """The request, read in the first transaction; None when the attempt is not due."""
    record: Callable[[AsyncSession, str, Posted, float | None], Awaitable[bool]]
    """Records the attempt's state and outcome by a compare-and-set; False when a
    duplicate message recorded it first."""
    next_payload: Callable[[int], dict[str, Any]]
    """The outbox payload of attempt ``n``."""


async def attempt_delivery(
    sender: Sender,
    what: Attempt,
    *,
    policy: CallbackPolicy | None,
    rng: random.Random | None,
) -> Delivery:
    """Make delivery attempt ``what`` and record it: read and sign in one transaction, POST
    with none open, record and schedule the next attempt in another."""
    tenant_id, attempt, policy = what.tenant_id, what.number, policy or CallbackPolicy()
    async with tenant_transaction(sender.sessions, tenant_id) as session:
        prepared = await what.prepare(session)
        if prepared is None:
            return Delivery("skipped")
        request, traceparent = prepared
    posted = await post_once(
        sender.client, request, policy.timeouts, span_name=what.span_name, traceparent=traceparent
    )
    delivered = posted.error is None
    state, delay = after_attempt(policy, attempt, delivered=delivered, final=posted.final, rng=rng)
    async with tenant_transaction(sender.sessions, tenant_id) as session:
        if not await what.record(session, state, posted, delay):
            return Delivery("skipped")  # a duplicate message recorded this attempt first
        if delay is not None:
            await outbox.enqueue(
                session,
                sender.notifier,
                workspace_id=tenant_id,
                kind=what.kind,
                payload=what.next_payload(attempt + 1),
                available_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay),
            )
    if not delivered:
        logger.info("{} attempt {} failed: {}", what.label, attempt, posted.error)
    return Delivery(state if state != "pending" else "retry", posted.status, delay)


async def deliver(
    sender: Sender,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    attempt: int = 1,
    *,
    policy: CallbackPolicy | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.time,
) -> Delivery:
    """Make delivery attempt ``attempt`` of the job's callback and record its outcome."""

    async def prepare(session: AsyncSession) -> Prepared | None:
        job = await jobs.get_job(session, job_id)
        if (
            job is None
            or job.callback_url is None
            or job.callback_state != "pending"
            or job.callback_attempts != attempt - 1
        ):
            return None
        secrets = await signing_keys(session, sender.keys)
        now = clock()
        output = await jobs.job_output(job)
        body = callback_body(job, dt.datetime.fromtimestamp(now, dt.UTC), output)
        request = build_request(
            job.callback_url,
            secrets,
            message_id(job.id, job.attempts_before_replay),
            int(now),
            body,
        )
        return request, job.traceparent

    async def record(
        session: AsyncSession, state: str, posted: Posted, delay: float | None
    ) -> bool:
        if not await _record(session, job_id, attempt, state):
            return False
        data: dict[str, Any] = {"attempt": attempt, "status": posted.status}
        if posted.error is not None:
            data.update(error=posted.error, final=state == "failed", retry_in_s=delay)
        await events.append(
            session,
            tenant_id,
            "callback.failed" if posted.error is not None else "callback.delivered",
            data,
            job_id=job_id,
        )
        after_commit(session, lambda: sender.notifier.events_appended(tenant_id))
        return True

    def next_payload(next_attempt: int) -> dict[str, Any]:
        return {"tenant_id": str(tenant_id), "job_id": str(job_id), "attempt": next_attempt}

    what = Attempt(
        tenant_id=tenant_id,
        number=attempt,
        span_name="callback.deliver",
        kind=DELIVER_CALLBACK,
        label=f"callback of job {job_id}",
        prepare=prepare,
        record=record,
        next_payload=next_payload,
    )
    return await attempt_delivery(sender, what, policy=policy, rng=rng)
