"""The calls the executor takes and gives back: a prepared call, and its execution's body.

``Executor.prepare`` validates a payload and renders it into a ``Prepared`` call (an HTTP
request, or a ``CodeCall`` for a connector type with a code handler); ``execute`` answers
with an ``Execution``. Kept apart from the executor so the routes can name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from orchestrator.core.connectors.public import CodeHandler
from orchestrator.core.execution.plans import ConnectorPlan
from orchestrator.core.upstream.client import UpstreamRequest


class OutputError(msgspec.Struct, frozen=True, kw_only=True):
    """One way an upstream's answer fails its operation's output schema."""

    key: str
    """A JSON pointer under ``/output``."""
    message: str


class Execution(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The body of a ``POST /api/v1/execute`` that reached a final upstream answer."""

    status: Literal["succeeded", "failed"]
    output: Any
    upstream_status: int | None
    attempts: int
    duration_ms: float
    output_errors: list[OutputError] | None = None
    """Present when the upstream's answer failed the operation's output schema (then
    ``status`` is ``failed``): each way it fails, as a JSON pointer under ``/output``."""


@dataclass(frozen=True, slots=True)
class CodeCall:
    """A call rendered by a connector type's code handler (any type but ``http``)."""

    handler: CodeHandler
    call: Any


@dataclass(frozen=True, slots=True)
class Prepared:
    """A call that passed validation: its connector plan and the rendered request."""

    plan: ConnectorPlan
    operation: str
    request: UpstreamRequest | CodeCall
    idempotent: bool
    output_schema: Mapping[str, Any] | bool
    """The operation's output schema, which every successful answer is held to."""
