"""A workspace's quota: its limits, set whole and audited (no row means unlimited)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration import repository, views
from orchestrator.core.configuration.models import TenantQuotaRow
from orchestrator.core.configuration.mutation import (
    Action,
    Mutation,
    audit_change,
    flush_or_conflict,
)
from orchestrator.core.db.base import utcnow
from orchestrator.core.policy.model import TenantQuota


async def write_quota(
    session: AsyncSession, m: Mutation, quota: TenantQuota, existing: TenantQuotaRow | None
) -> tuple[TenantQuotaRow, Action | None]:
    """Set the tenant's quota; ``None`` when it already was this."""
    if existing is None:
        row = TenantQuotaRow(tenant_id=m.tenant_id, **views.quota_content(quota), version=1)
        session.add(row)
        await flush_or_conflict(session, "the quota")
        await audit_change(session, m, "quota.create", "quota", None, views.quota_view(row))
        return row, "create"
    if views.quota_of(existing) == quota:
        return existing, None
    before = views.quota_view(existing)
    for name, value in views.quota_content(quota).items():
        setattr(existing, name, value)
    existing.version, existing.updated_at = existing.version + 1, utcnow()
    await flush_or_conflict(session, "the quota")
    await audit_change(session, m, "quota.update", "quota", before, views.quota_view(existing))
    return existing, "update"


async def put_quota(session: AsyncSession, m: Mutation, quota: TenantQuota) -> TenantQuotaRow:
    """Set the tenant's quota (version +1 when it differs)."""
    existing = await repository.quota_row(session, for_update=True)
    return (await write_quota(session, m, quota, existing))[0]
