"""What a connector type must provide, and what a *code handler* adds.

Every type is declarative (``ConnectorType``) and knows its own config: how to parse
and check it, which secrets it reads, which operations it offers. The ``http`` type
is then served by templates and the pooled ``UpstreamClient`` (the executor's fast
path, untouched by any other type). A type whose protocol is not HTTP, or that needs
more than templates (SMTP), is a ``CodeHandler``: it renders an operation into a call
of its own and sends it, reporting one ``AttemptResult`` in the executor's terms so
that timeouts, retries, the breaker and rate limits apply to it as to any call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.connectors.types import ConnectorType, OperationType
from orchestrator.core.policy.model import RetryPolicy
from orchestrator.core.upstream.client import Timeouts, UpstreamClient
from orchestrator.core.upstream.ssrf import NetworkPolicy


class ConnectorHandler(Protocol):
    """The config side of a connector type (every type has one)."""

    @property
    def connector_type(self) -> ConnectorType:
        """The type as ``GET /api/v1/connector-types`` lists it."""
        ...

    def parse_config(self, config: Mapping[str, Any]) -> Any:
        """The parsed config (cached by the type), or ``ValidationFailed`` listing every problem."""
        ...

    def check_network(self, parsed: Any, network: NetworkPolicy) -> None:
        """Refuse (422) an upstream address the deployment's policy forbids."""
        ...

    def operations(self, parsed: Any) -> Mapping[str, OperationType]:
        """The operations a connector of this config offers."""
        ...

    def secret_names(self, parsed: Any) -> set[str]:
        """The secret names a connector of this config must bind."""
        ...


@dataclass(frozen=True, slots=True)
class SendContext:
    """What one attempt of a code handler's call needs from the executor."""

    timeouts: Timeouts
    retry: RetryPolicy
    may_repeat: bool
    """Whether repeating the call is safe (idempotent, or protected by a key)."""
    idempotency_key: str | None
    """The caller's key or the job id: a repeated attempt carries the same identity."""
    scope: str
    """``tenant/connector``: keeps keys of different tenants apart."""
    network: NetworkPolicy
    client: UpstreamClient | None = None
    """The process's pooled HTTP client, for a type whose protocol is HTTP (``stripe``): its
    calls get the address policy, timeouts and keep-alive pool of ``http`` calls. None
    only where no such type is called (a test of the ``smtp`` handler alone)."""


class CodeHandler(ConnectorHandler, Protocol):
    """A connector type served by code rather than by HTTP templates."""

    transient_status: int
    """The HTTP status whose ``retry_on_status`` rule this type's transient refusals follow."""

    def render(self, parsed: Any, operation: str, payload: Any, secrets: Mapping[str, str]) -> Any:
        """The call for ``operation`` with ``payload`` (pure; ``ValidationFailed`` → 422)."""
        ...

    def describe(self, call: Any) -> tuple[str, str]:
        """The span name's method and the target URL of ``call`` (for tracing)."""
        ...

    async def send(self, call: Any, context: SendContext) -> AttemptResult:
        """Make one attempt; ``UpstreamRefused`` when the address policy forbids the host."""
        ...

    def breaker_failure(self, result: AttemptResult) -> bool:
        """Whether the breaker counts this attempt as the upstream failing."""
        ...
