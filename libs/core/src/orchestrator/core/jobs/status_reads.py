"""A job read by id for its workspace, the read product backends poll (ADR 0070).

Concurrent reads share one round trip (``core/db/tenant_reads.py``); both of the
exec-api's routes of ``GET /api/v1/jobs/{id}`` answer through ``read_job``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec

from orchestrator.core.db.autocommit import Connection
from orchestrator.core.db.group_commit import Opener
from orchestrator.core.db.tenant_reads import Row, TenantReads, uuid_list
from orchestrator.core.errors import NotFound
from orchestrator.core.jobs.single_job import NO_SUCH_JOB
from orchestrator.core.jobs.stored_values import read_value
from orchestrator.core.jobs.views import JobOut

# Named as ``JobOut`` names them, so a row is its keyword arguments.
_COLUMNS = (
    "id, status, connector, operation, payload, attempts, max_attempts, available_at, "
    "created_at, updated_at, started_at, finished_at, upstream_status, output, "
    "last_error AS error, callback_url, callback_state, "
    "payload_ref, payload_ref_sha256, output_ref, output_ref_sha256"
)
_REFS = ("payload_ref", "payload_ref_sha256", "output_ref", "output_ref_sha256")
"""Selected beside ``JobOut``'s columns: where a payload or output kept apart is (ADR 0089)."""

JobReads = TenantReads[uuid.UUID]


def select_jobs(ids: Sequence[uuid.UUID]) -> str:
    """The jobs of ``ids`` that the transaction's workspace may see."""
    return f"SELECT {_COLUMNS} FROM jobs WHERE id IN ({uuid_list(ids)})"  # noqa: S608  (UUIDs)


def _job_id(row: Row) -> uuid.UUID:
    job_id: uuid.UUID = row["id"]
    return job_id


def job_reads(opener: Opener[Connection]) -> JobReads:
    """Grouped reads of jobs by id, through ``opener``'s autocommit connection."""
    return TenantReads(opener, select_jobs, _job_id)


async def read_job(reads: JobReads, tenant_id: uuid.UUID, job_id: uuid.UUID) -> JobOut:
    """One job of the workspace, or 404."""
    rows = await reads.rows(tenant_id, job_id)
    if not rows:
        raise NotFound(NO_SUCH_JOB)
    row = dict(rows[0])
    payload_ref, payload_sha256, output_ref, output_sha256 = (row.pop(name) for name in _REFS)
    out = JobOut(**row)
    if payload_ref is None and output_ref is None:
        return out
    return msgspec.structs.replace(
        out,
        payload=await read_value(out.payload, payload_ref, payload_sha256),
        output=await read_value(out.output, output_ref, output_sha256),
    )
