"""Request-scoped context carried into every log line."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.core.auth.claims import Principal

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
tenant_id_var: ContextVar[str | None] = ContextVar("tenant_id", default=None)
# The operator behind an impersonation token (RFC 8693 ``act.sub``); None otherwise.
impersonator_var: ContextVar[str | None] = ContextVar("impersonator", default=None)
# The whole principal of an impersonation token, for the audit of what it changes.
impersonation_var: ContextVar[Principal | None] = ContextVar("impersonation", default=None)
# The service a line belongs to where one process serves several (the development
# stack, ADR 0099); None: the one the process configured its logging for.
service_var: ContextVar[str | None] = ContextVar("service", default=None)
