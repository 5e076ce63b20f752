"""Job payloads and outputs past the payload threshold, in the payload store (ADR 0089).

A value goes as its JSON text, the bytes the column would have held; its row keeps the
object's key, the SHA-256 and the size, and its JSON column holds nothing (``null``).
Every reader goes through ``read_value``, which is the column's value when nothing was
stored apart; the raw routes (``GET /api/v1/jobs/{id}/payload``, ``/output``) go through
``serve_payload`` and ``serve_output``, which stream a stored value (ADR 0112).
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from loguru import logger

from orchestrator.core.jobs.models import Job
from orchestrator.core.payloads.errors import PayloadStoreUnavailable
from orchestrator.core.payloads.layout import Kind
from orchestrator.core.payloads.process import Served, payload_store, read_stored, serve_stored
from orchestrator.core.payloads.store import StoredPayload


async def put_value(
    tenant_id: uuid.UUID, kind: Kind, job_id: uuid.UUID, value: Any
) -> StoredPayload | None:
    """Put ``value`` to the store if it passes the threshold; what its row keeps, or
    ``None`` when it stays inline (no store configured, or small enough)."""
    store = payload_store()
    if store is None or value is None:
        return None
    data = msgspec.json.encode(value)
    if not store.offloads(len(data)):
        return None
    return await store.put(tenant_id, kind, job_id, data)


async def put_output(tenant_id: uuid.UUID, job_id: uuid.UUID, output: Any) -> StoredPayload | None:
    """``put_value`` for an attempt's output, which must not be lost: the call was made,
    so a store that does not answer leaves the output inline (as it was before a store)."""
    try:
        return await put_value(tenant_id, "job-result", job_id, output)
    except PayloadStoreUnavailable:
        logger.warning("output of job {} kept inline: the payload store did not answer", job_id)
        return None


async def read_value(value: Any, ref: str | None, sha256: str | None) -> Any:
    """A payload or output: the column's ``value``, or the stored one read back and checked
    (``PayloadUnreadable``, ``PayloadStoreUnavailable`` as ``PayloadStore.get``)."""
    if ref is None or sha256 is None:
        return value
    return msgspec.json.decode(await read_stored(ref, sha256))


async def job_payload(job: Job) -> Any:
    """A job row's payload, wherever it is kept."""
    return await read_value(job.payload, job.payload_ref, job.payload_ref_sha256)


async def job_output(job: Job) -> Any:
    """A job row's last output, wherever it is kept."""
    return await read_value(job.output, job.output_ref, job.output_ref_sha256)


async def serve_value(value: Any, ref: str | None, sha256: str | None, size: int | None) -> Served:
    """A payload or output as its JSON text: the column's value encoded, or the stored text
    streamed from the store (``serve_stored``)."""
    if ref is None:
        return Served.of(msgspec.json.encode(value))
    return await serve_stored(b"", ref, sha256, size)


async def serve_payload(job: Job) -> Served:
    """A job row's payload as its JSON text, wherever it is kept."""
    return await serve_value(
        job.payload, job.payload_ref, job.payload_ref_sha256, job.payload_ref_size
    )


async def serve_output(job: Job) -> Served:
    """A job row's last output as its JSON text (``null`` before there is one)."""
    return await serve_value(job.output, job.output_ref, job.output_ref_sha256, job.output_ref_size)
