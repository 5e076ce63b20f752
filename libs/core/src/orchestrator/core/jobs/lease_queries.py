"""The worker's lease renewal: one statement per workspace keeps its running attempts' jobs.

An attempt holds its job while ``status = 'running'`` and ``attempts`` is still its
attempt's number: the same compare-and-set that finishing uses, so a renewal never takes
back a job another worker has retaken, and a lease that ran out unnoticed is kept again
if nobody took the job meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from orchestrator.core.db.autocommit import Connection
from orchestrator.core.db.tenant import scoped_rows

_RENEW = """
    UPDATE jobs SET lease_until = now() + make_interval(secs => %(lease_s)s)
    FROM unnest(CAST(%(job_ids)s AS uuid[]), CAST(%(attempts)s AS int[])) AS held(job_id, attempt)
    WHERE jobs.id = held.job_id AND jobs.status = 'running' AND jobs.attempts = held.attempt
    RETURNING jobs.id
"""


async def renew_leases(
    connection: Connection,
    tenant_id: uuid.UUID,
    held: Sequence[tuple[uuid.UUID, int]],
    *,
    lease_s: float,
) -> set[uuid.UUID]:
    """Extend by ``lease_s`` the lease of each ``(job id, attempt)`` still held; their ids."""
    params = {
        "job_ids": [job_id for job_id, _ in held],
        "attempts": [attempt for _, attempt in held],
        "lease_s": float(lease_s),
    }
    return {row["id"] for row in await scoped_rows(connection, tenant_id, _RENEW, params)}
