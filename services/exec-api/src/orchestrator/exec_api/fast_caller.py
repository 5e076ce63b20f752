"""Which requests the exec-api's fast routes serve themselves (ADR 0038)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.core.auth.claims import EXEC_AUDIENCE, Principal
from orchestrator.core.errors import Problem
from orchestrator.core.idempotency.guard import HEADER as IDEMPOTENCY_HEADER
from orchestrator.core.runtime import Resources

if TYPE_CHECKING:
    from litestar.types import Scope

_HANDED_OVER = (IDEMPOTENCY_HEADER.encode(), b"transfer-encoding", b"expect")
"""Headers whose requests the framework's route answers: a key needs the idempotency
store, and a body without a declared length is not read on the fast path."""


async def caller(
    resources: Resources, scope: Scope, required_scope: str, max_body: int
) -> Principal | None:
    """The caller of a plain request — a valid token carrying ``required_scope``, a JSON
    body of a declared length within ``max_body``, none of the headers handed over — or
    ``None``, for the framework's route to answer."""
    auth = content_type = length = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            auth = value
        elif name == b"content-type":
            content_type = value
        elif name == b"content-length":
            length = value
        elif name in _HANDED_OVER:
            return None
    if auth is None or content_type is None or length is None:
        return None
    if not length.isdigit() or int(length) > max_body:
        return None
    if content_type.split(b";", 1)[0].strip().lower() != b"application/json":
        return None
    scheme, _, token = auth.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        principal = await resources.verifier(EXEC_AUDIENCE).verify(token.strip())
    except Problem:
        return None  # the framework's guard answers, with the same verifier
    return principal if required_scope in principal.scopes else None
