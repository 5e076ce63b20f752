"""``/api/v1/quotas``: a workspace's limits (requests/s, concurrency, queue depth, monthly
call budget, how long its history is kept) and its spending of the budget this month."""

from __future__ import annotations

import msgspec
from litestar import get, put
from redis.exceptions import RedisError

from orchestrator.control_api.quotas.schemas import MonthUsage, QuotaOut, QuotaPut, UsageOut
from orchestrator.control_api.routes import READ, WRITE
from orchestrator.control_api.scope import (
    Reason,
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS
from orchestrator.core.configuration import quotas, repository, views
from orchestrator.core.configuration.models import TenantQuotaRow
from orchestrator.core.errors import PolicyStateUnavailable
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.policy.budget import warning_threshold
from orchestrator.core.policy.model import TenantQuota
from orchestrator.core.policy.usage import read_usage
from orchestrator.core.runtime import Resources


def to_out(row: TenantQuotaRow | None) -> QuotaOut:
    """The API view of a quota row (unlimited, version 0, without one)."""
    return QuotaOut(
        **views.quota_content(views.quota_of(row)),
        version=0 if row is None else row.version,
        updated_at=None if row is None else row.updated_at,
    )


class QuotaController(ScopedController):
    """The quota of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/quotas"
    tags = ["quotas"]

    @get(opt=READ, responses=READS)
    async def get_quota(self, ws: WorkspaceScope) -> QuotaOut:
        """The workspace's limits."""
        return to_out(await repository.quota_row(ws.session))

    @put(
        opt=WRITE,
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 503),
    )
    async def put_quota(self, ws: WorkspaceScope, data: QuotaPut, reason: Reason) -> QuotaOut:
        """Set the workspace's limits; the version goes up only when they change."""
        quota = TenantQuota(**msgspec.structs.asdict(data))
        return to_out(await quotas.put_quota(ws.session, ws.mutation(reason), quota))

    @get("/usage", opt=READ, responses=READS)
    async def get_usage(self, resources: Resources, ws: WorkspaceScope) -> UsageOut:
        """Upstream calls counted against the monthly budget, this month and last."""
        budget = views.quota_of(await repository.quota_row(ws.session)).monthly_calls
        try:
            usage = await read_usage(
                resources.redis, resources.settings.redis.namespace, ws.tenant_id
            )
        except RedisError as exc:
            raise PolicyStateUnavailable(
                "The usage counts cannot be read; retry shortly.", headers={"Retry-After": "1"}
            ) from exc
        return UsageOut(
            period=usage.period.name,
            used=usage.used,
            monthly_calls=budget,
            remaining=None if budget is None else max(0, budget - usage.used),
            warning_at=None if budget is None else warning_threshold(budget),
            resets_at=usage.period.ends_at,
            previous=MonthUsage(period=usage.previous_period.name, used=usage.previous_used),
        )
