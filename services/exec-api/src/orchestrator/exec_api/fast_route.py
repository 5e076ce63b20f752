"""The exec-api's fast routes: which requests they serve, and their common steps (ADR 0038)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from litestar import Litestar

from orchestrator.core.auth.claims import EXEC_AUDIENCE, Principal
from orchestrator.core.errors import Problem
from orchestrator.core.http.fast_path import Answer, answer, read_body, replaying
from orchestrator.core.idempotency.guard import HEADER as IDEMPOTENCY_HEADER
from orchestrator.core.jsonbounds import nests_deeper
from orchestrator.core.observability.context import tenant_id_var
from orchestrator.core.runtime import Resources

if TYPE_CHECKING:
    from litestar.types import Receive, Scope, Send

Checked = TypeVar("Checked")

_HANDED_OVER = (IDEMPOTENCY_HEADER.encode(), b"transfer-encoding", b"expect")
"""Headers whose requests the framework's route answers: a key needs the idempotency
store, and a body without a declared length is not read on the fast path."""


async def caller(
    resources: Resources, scope: Scope, required_scope: str | None, max_body: int | None
) -> Principal | None:
    """The caller of a plain request — a valid token carrying ``required_scope`` (if any), none of
    the headers handed over, and a JSON body of a declared length within ``max_body`` (or,
    when ``max_body`` is ``None``, no body at all) — or ``None``, for the framework's route
    to answer."""
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
    if auth is None or not _plain_body(content_type, length, max_body):
        return None
    scheme, _, token = auth.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        principal = await resources.verifier(EXEC_AUDIENCE).verify(token.strip())
    except Problem:
        return None  # the framework's guard answers, with the same verifier
    if principal.impersonator is not None:
        return None  # the framework's route, whose guard marks the request for the audit
    if required_scope is None or required_scope in principal.scopes:
        return principal
    return None


def _plain_body(content_type: bytes | None, length: bytes | None, max_body: int | None) -> bool:
    if max_body is None:
        return length is None or length == b"0"
    if content_type is None or length is None:
        return False
    if not length.isdigit() or int(length) > max_body:
        return False
    return content_type.split(b";", 1)[0].strip().lower() == b"application/json"


class PlainRoute(ABC, Generic[Checked]):
    """A fast route of the exec-api: the caller, the body (none for a read), a check, then
    the work.

    A body nested past ``ORCH_MAX_JSON_DEPTH`` is never parsed here, and whatever ``check``
    refuses or raises (nothing was started yet) goes to the framework's route with its
    body, which answers it as documented; what ``run`` raises is answered as a problem
    document.
    """

    scope_name: ClassVar[str | None]
    """The scope the token must carry (``None``: any valid token)."""
    takes_body: ClassVar[bool] = True

    def __init__(self, max_body_bytes: int, max_json_depth: int) -> None:
        self._max_body = max_body_bytes
        self._max_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: Litestar) -> None:
        max_body = self._max_body if self.takes_body else None
        try:
            principal = await caller(app.state.resources, scope, self.scope_name, max_body)
        except Exception:  # the framework's guard meets it again, and answers a problem
            principal = None
        if principal is None:
            await app(scope, receive, send)
            return
        tenant_id_var.set(str(principal.tenant_id))
        body = await read_body(receive, self._max_body) if self.takes_body else b""
        if body is None:
            return  # the client went away, or sent more than it declared: nothing started
        if nests_deeper(body, self._max_depth):
            await app(scope, replaying(body, receive), send)  # its 400 json-too-deep
            return
        try:
            checked = await self.check(app, scope, principal, body)
        except Exception:  # nothing started: the route answers it, as documented
            await app(scope, replaying(body, receive), send)
            return
        await answer(scope, send, self.run(app, principal, checked))

    @abstractmethod
    async def check(
        self, app: Litestar, scope: Scope, principal: Principal, body: bytes
    ) -> Checked:
        """Decode and check the request; raise to hand it to the framework's route."""

    @abstractmethod
    async def run(self, app: Litestar, principal: Principal, checked: Checked) -> Answer:
        """Do the work and say what to answer."""
