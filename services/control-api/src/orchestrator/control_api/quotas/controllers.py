"""``/api/v1/quotas``: read and set a workspace's requests/s, concurrency and queue depth."""

from __future__ import annotations

from litestar import Controller, get, put

from orchestrator.control_api.quotas.schemas import QuotaOut, QuotaPut
from orchestrator.control_api.scope import (
    READ_GUARDS,
    WRITE_GUARDS,
    Reason,
    WorkspaceScope,
    provide_scope,
)
from orchestrator.core.configuration import repository, service
from orchestrator.core.http.auth import guarded, provide_principal
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.models import TenantQuotaRow
from orchestrator.core.policy.model import TenantQuota


def to_out(row: TenantQuotaRow | None) -> QuotaOut:
    """The API view of a quota row (unlimited, version 0, without one)."""
    if row is None:
        return QuotaOut(rps=None, concurrency=None, queue_depth=None, version=0, updated_at=None)
    return QuotaOut(
        rps=row.rps,
        concurrency=row.concurrency,
        queue_depth=row.queue_depth,
        version=row.version,
        updated_at=row.updated_at,
    )


class QuotaController(Controller):
    """The quota of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/quotas"
    tags = ["quotas"]
    security = [{"bearer": []}]
    dependencies = {"principal": provide_principal, "ws": provide_scope}

    @get(opt=guarded(*READ_GUARDS), responses=problem_responses(400, 401, 403, 404, 409, 503))
    async def get_quota(self, ws: WorkspaceScope) -> QuotaOut:
        """The workspace's limits."""
        return to_out(await repository.quota_row(ws.session))

    @put(
        opt=guarded(*WRITE_GUARDS),
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 503),
    )
    async def put_quota(self, ws: WorkspaceScope, data: QuotaPut, reason: Reason) -> QuotaOut:
        """Set the workspace's limits; the version goes up only when they change."""
        quota = TenantQuota(
            rps=data.rps, concurrency=data.concurrency, queue_depth=data.queue_depth
        )
        return to_out(await service.put_quota(ws.session, ws.mutation(reason), quota))
