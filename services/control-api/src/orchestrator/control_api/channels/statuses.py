"""The control-api's own statuses on a workspace's channel (ADR 0104)."""

from __future__ import annotations

import functools

from orchestrator.control_api.scope import WorkspaceScope
from orchestrator.core.channels.public import StatusKind, post_status
from orchestrator.core.runtime import Resources


def post_after_commit(
    ws: WorkspaceScope, resources: Resources, status: StatusKind, version: int
) -> None:
    """Post ``status`` naming configuration ``version`` once the request's change commits."""
    ws.after_commit.append(
        functools.partial(
            post_status,
            resources.redis,
            resources.settings.redis.namespace,
            ws.tenant_id,
            status,
            subject=f"version {version}",
            figures={"version": version},
        )
    )
