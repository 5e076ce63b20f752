"""The generic repository every resource's queries start from: get, get for update, a
keyset page, create, update and delete of one model by its natural key.

A repository holds no session: each call runs in the caller's session and transaction, so
the tenant that transaction is scoped to (row-level security) bounds every query, and
nothing here commits. Writes flush, so a constraint violation surfaces at the call that
caused it (``audit.change`` turns a unique one into a 409).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from orchestrator.core.db.pages import EVERY, Keyset, Page, PageRequest

M = TypeVar("M", bound=DeclarativeBase)


class Repository(Generic[M]):
    """Queries of ``model`` found by the unique ``key`` columns (a name, for most) and
    listed in ``keyset`` order (by default the key's). Subclass it for a resource's other
    queries; build each one once, at import."""

    def __init__(
        self,
        model: type[M],
        *key: InstrumentedAttribute[Any],
        keyset: Keyset | None = None,
    ) -> None:
        if not key:
            raise TypeError("a repository needs the columns that find one row")
        self.model = model
        self.key = key
        self.keyset = Keyset(*key) if keyset is None else keyset

    def select(self) -> Select[M]:
        """Every row of the model the session's tenant may see."""
        return select(self.model)

    def by_key(self, *values: Any) -> Select[M]:
        """The query of the one row whose key is ``values``."""
        if len(values) != len(self.key):
            raise TypeError(f"a key of {len(self.key)} values, not {len(values)}")
        return self.select().where(*(c == v for c, v in zip(self.key, values, strict=True)))

    async def get(self, session: AsyncSession, *key: Any) -> M | None:
        """The row whose key is ``key``, if there is one."""
        return (await session.scalars(self.by_key(*key))).one_or_none()

    async def get_for_update(self, session: AsyncSession, *key: Any) -> M | None:
        """The row whose key is ``key``, locked until the transaction ends."""
        return (await session.scalars(self.by_key(*key).with_for_update())).one_or_none()

    async def list(
        self,
        session: AsyncSession,
        page: PageRequest = EVERY,
        query: Select[M] | None = None,
    ) -> Page[M]:
        """A page of ``query``'s rows (default: every row) in keyset order, or (by default)
        every one."""
        return await self.keyset.scalars(session, self.select() if query is None else query, page)

    async def create(self, session: AsyncSession, row: M) -> M:
        """Insert ``row``."""
        session.add(row)
        await session.flush()
        return row

    async def update(self, session: AsyncSession, row: M, values: Mapping[str, Any]) -> M:
        """Set ``values`` (attribute name to value) on ``row`` and write them."""
        for name, value in values.items():
            if not hasattr(self.model, name):
                raise AttributeError(f"{self.model.__name__} has no column `{name}`")
            setattr(row, name, value)
        await session.flush()
        return row

    async def delete(self, session: AsyncSession, row: M) -> None:
        """Delete ``row``."""
        await session.delete(row)
        await session.flush()
