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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import msgspec
from loguru import logger
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


def callback_body(job: Job, now: dt.datetime) -> bytes:
    """The JSON body: ``{type, timestamp, data}`` (the Standard Webhooks payload shape)."""
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
                "output": job.output,
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


async def _record(session: AsyncSession, job_id: uuid.UUID, attempt: int, state: str) -> bool:
    """CAS: this is attempt ``attempt`` of a pending callback; the new state."""
    result = await session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.callback_state == "pending",
            Job.callback_attempts == attempt - 1,
        )
        .values(callback_state=state, callback_attempts=attempt, updated_at=func.now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one ``deliver_callback`` message did."""

    outcome: str
    """``delivered``, ``retry``, ``failed`` (given up) or ``skipped`` (nothing due)."""
    status: int | None = None
    delay_s: float | None = None


async def deliver(
    sessions: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    keys: KeyRing,
    client: UpstreamClient,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    attempt: int = 1,
    *,
    policy: CallbackPolicy | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.time,
) -> Delivery:
    """Make delivery attempt ``attempt`` of the job's callback and record its outcome."""
    policy = policy or CallbackPolicy()
    async with tenant_transaction(sessions, tenant_id) as session:
        job = await jobs.get_job(session, job_id)
        if (
            job is None
            or job.callback_url is None
            or job.callback_state != "pending"
            or job.callback_attempts != attempt - 1
        ):
            return Delivery("skipped")
        secrets = await signing_keys(session, keys)
        now = clock()
        body = callback_body(job, dt.datetime.fromtimestamp(now, dt.UTC))
        request = build_request(
            job.callback_url,
            secrets,
            message_id(job.id, job.attempts_before_replay),
            int(now),
            body,
        )
        traceparent = job.traceparent
    status, error, final = await post_once(
        client, request, policy.timeouts, span_name="callback.deliver", traceparent=traceparent
    )
    delivered = error is None
    state, delay = after_attempt(policy, attempt, delivered=delivered, final=final, rng=rng)
    async with tenant_transaction(sessions, tenant_id) as session:
        if not await _record(session, job_id, attempt, state):
            return Delivery("skipped")  # a duplicate message recorded this attempt first
        data: dict[str, Any] = {"attempt": attempt, "status": status}
        if not delivered:
            data.update(error=error, final=state == "failed", retry_in_s=delay)
        await events.append(
            session,
            tenant_id,
            "callback.delivered" if delivered else "callback.failed",
            data,
            job_id=job_id,
        )
        after_commit(session, lambda: notifier.events_appended(tenant_id))
        if delay is not None:
            await outbox.enqueue(
                session,
                notifier,
                workspace_id=tenant_id,
                kind=DELIVER_CALLBACK,
                payload={
                    "tenant_id": str(tenant_id),
                    "job_id": str(job_id),
                    "attempt": attempt + 1,
                },
                available_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay),
            )
    if not delivered:
        logger.info("callback of job {} attempt {} failed: {}", job_id, attempt, error)
    return Delivery(state if state != "pending" else "retry", status, delay)
