"""Tenant quotas that are not enforced in Redis: the jobs plane counts queue depth itself."""

from __future__ import annotations

from orchestrator.core.policy.model import TenantQuota


def queue_depth_allows(quota: TenantQuota | None, current_depth: int) -> bool:
    """Whether one more job may be queued when ``current_depth`` are already waiting."""
    return quota is None or quota.queue_depth is None or current_depth < quota.queue_depth
