"""Request and response shapes of workflow runs (a run's own view, ``RunOut``, is core's:
``orchestrator.core.workflows.views``)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec


class RunCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Start a run; step payloads read ``input`` through ``{"$ref": "/input/…"}``."""

    input: dict[str, Any] = msgspec.field(default_factory=dict)


class RunAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """The started run; follow it at ``GET /api/v1/workflow-runs/{id}``."""

    id: uuid.UUID
    status: str
