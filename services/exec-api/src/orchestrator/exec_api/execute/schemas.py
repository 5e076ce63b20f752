"""Request and response shapes of ``POST /api/v1/execute``."""

from __future__ import annotations

from typing import Any

import msgspec

from orchestrator.exec_api.jobs.schemas import Name


class ExecuteRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Run ``operation`` of ``connector`` with ``payload`` and wait for the upstream."""

    connector: Name
    operation: Name
    payload: dict[str, Any] = msgspec.field(default_factory=dict)
