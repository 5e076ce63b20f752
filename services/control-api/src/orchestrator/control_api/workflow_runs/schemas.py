"""Response shapes of the workflow-runs area (a run's views are core's, shared with the
exec-api, which serves a caller its own run)."""

from __future__ import annotations

import msgspec

from orchestrator.core.workflows.views import RunSummary


class RunList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of workflow runs, newest first; pass ``next_cursor`` as ``cursor`` for the
    next (``null`` on the last page)."""

    items: list[RunSummary]
    next_cursor: str | None
