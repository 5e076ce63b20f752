"""One audited change of a named resource: lock the row, 404 when it is missing, the view
before, the write, 409 when a concurrent writer won, and the audit record of before and
after, all in the caller's transaction (never committed here).

Every resource's create, update and delete go through an ``AuditedChanges``, so they fail
alike (the same 404 and 409 problems, worded from the resource's noun) and leave the same
audit trail: action ``<kind>.<verb>``, target ``<kind>:<name>``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import KW_ONLY, dataclass, replace
from typing import Any, Generic, Protocol, cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core import audit
from orchestrator.core.db.base import utcnow
from orchestrator.core.db.repository import M, Repository
from orchestrator.core.errors import Conflict, NotFound

View = dict[str, Any]
UNIQUE_OR_FOREIGN_KEY = frozenset({"23505", "23503"})


class Author(Protocol):
    """Who makes a change in which workspace, and why (``configuration.Mutation``)."""

    @property
    def tenant_id(self) -> uuid.UUID: ...
    @property
    def actor(self) -> str: ...
    @property
    def reason(self) -> str: ...


class _Versioned(Protocol):
    version: int
    updated_at: dt.datetime


@contextmanager
def conflicts(what: str | Callable[[], str]) -> Iterator[None]:
    """409 for a unique or foreign key violation in the block: a concurrent writer took
    the name or removed a reference ``what`` needs (a callable: named as the block left
    it)."""
    try:
        yield
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) in UNIQUE_OR_FOREIGN_KEY:
            named = what if isinstance(what, str) else what()
            raise Conflict(f"A concurrent change to {named} won; read it again and retry.") from exc
        raise


async def flush_or_conflict(session: AsyncSession, what: str) -> None:
    """Flush the session; 409 when a concurrent writer took the name or removed a reference."""
    with conflicts(what):
        await session.flush()


async def record_change(
    session: AsyncSession,
    author: Author,
    action: str,
    target: str,
    before: View | None,
    after: View | None,
) -> None:
    """Record the change in the audit trail, with who made it and why."""
    await audit.record(
        session,
        tenant_id=author.tenant_id,
        actor=author.actor,
        action=action,
        target=target,
        reason=author.reason,
        before=before,
        after=after,
    )


@dataclass(frozen=True, slots=True)
class AuditedChanges(Generic[M]):
    """The audited writes of one resource, a row of ``repository`` found by its key (a
    name, for most).

    ``noun`` words its problems ("No secret ref called `x` in this workspace."), ``kind``
    its audit actions and targets (``secret_ref.create``, ``secret_ref:x``), and ``view``
    is what the audit records before and after (``showing`` another). ``versioned`` rows count their updates
    (``version`` +1, ``updated_at`` now).
    """

    repository: Repository[M]
    _: KW_ONLY
    noun: str
    kind: str
    view: Callable[[M], View]
    versioned: bool = True
    missing_text: str | None = None
    """The 404's text where it does not name the key (a row found by its id)."""
    label: Callable[[M], str] | None = None
    """What a 409 calls a row, where not its key (a row found by its id, by its name)."""

    def what(self, key: Any, row: M | None = None) -> str:
        """How a problem names the row."""
        named = key if self.label is None or row is None else self.label(row)
        return f"{self.noun} `{named}`"

    def target(self, key: Any) -> str:
        """The audit target of the row."""
        return f"{self.kind}:{key}"

    def missing(self, key: Any) -> NotFound:
        """The 404 of a key the workspace lacks."""
        if self.missing_text is not None:
            return NotFound(self.missing_text)
        return NotFound(f"No {self.noun} called `{key}` in this workspace.")

    async def get(self, session: AsyncSession, key: Any) -> M:
        """The row of ``key``, or 404."""
        row = await self.repository.get(session, key)
        if row is None:
            raise self.missing(key)
        return row

    async def lock(self, session: AsyncSession, key: Any) -> M:
        """The row of ``key``, locked until the transaction ends, or 404."""
        row = await self.repository.get_for_update(session, key)
        if row is None:
            raise self.missing(key)
        return row

    async def refuse_taken(self, session: AsyncSession, name: str) -> None:
        """409 when a row is called ``name`` already (a create must not replace it)."""
        if await self.repository.get(session, name) is not None:
            raise Conflict(f"A {self.noun} called `{name}` exists; replace it with PUT.")

    async def record(
        self,
        session: AsyncSession,
        author: Author,
        verb: str,
        key: Any,
        before: View | None,
        after: View | None,
    ) -> None:
        """The audit record of ``verb`` done to the row of ``key``."""
        await record_change(session, author, f"{self.kind}.{verb}", self.target(key), before, after)

    def showing(self, view: Callable[[M], View]) -> AuditedChanges[M]:
        """These changes audited with ``view``, for a view that needs more than the row
        (a connector shows its policy's name)."""
        return replace(self, view=view)

    async def create(self, session: AsyncSession, author: Author, key: Any, row: M) -> M:
        """Insert ``row`` (of ``key``) and audit it; 409 when a concurrent writer took its
        name or removed what it refers to."""
        with conflicts(self.what(key, row)):
            await self.repository.create(session, row)
        await self.record(session, author, "create", key, None, self.view(row))
        return row

    async def update(
        self,
        session: AsyncSession,
        author: Author,
        key: Any,
        row: M,
        values: Mapping[str, Any],
        *,
        verb: str = "update",
        before: View | None = None,
    ) -> bool:
        """Set ``values`` on the (locked) ``row`` and audit ``before`` (default: its view
        now) and after; whether it changed: a write of what is stored changes nothing (no
        version, no record)."""
        if all(getattr(row, name) == value for name, value in values.items()):
            return False
        before = self.view(row) if before is None else before
        if self.versioned:
            versioned = cast(_Versioned, row)
            values = {**values, "version": versioned.version + 1, "updated_at": utcnow()}
        with conflicts(lambda: self.what(key, row)):
            await self.repository.update(session, row, values)
        await self.record(session, author, verb, key, before, self.view(row))
        return True

    async def delete(self, session: AsyncSession, author: Author, key: Any, row: M) -> None:
        """Delete the (locked) ``row`` and audit what it was."""
        before = self.view(row)
        with conflicts(self.what(key, row)):
            await self.repository.delete(session, row)
        await self.record(session, author, "delete", key, before, None)
