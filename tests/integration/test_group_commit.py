"""Group commit: concurrent writes share transactions, and one bad write fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.group_commit import GroupCommit
from tests.support.jobs import IsolatedDb

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.support.jobs_fixtures"]  # the `isolated` database fixtures


class Refused(Exception):
    """A refusal that concerns one item only."""


class Table:
    """A scratch table and a group writer that records how it grouped."""

    def __init__(self, isolated: IsolatedDb) -> None:
        self.isolated = isolated
        self.groups: list[list[str]] = []

    async def create(self) -> None:
        async with self.isolated.owner() as session, session.begin():
            await session.execute(text("CREATE TABLE grouped (v text PRIMARY KEY)"))

    async def write(self, session: AsyncSession, items: Sequence[str]) -> list[str | BaseException]:
        self.groups.append(list(items))
        results: list[str | BaseException] = []
        for item in items:
            if item.startswith("refuse"):
                results.append(Refused(item))
                continue
            # "boom" breaks the whole transaction (a duplicate key), as a bug would.
            await session.execute(
                text("INSERT INTO grouped VALUES (:v)"), {"v": item.removeprefix("boom-")}
            )
            results.append(item.upper())
        return results

    async def drop(self) -> None:
        async with self.isolated.owner() as session, session.begin():
            await session.execute(text("DROP TABLE grouped"))

    async def rows(self) -> set[str]:
        async with self.isolated.owner() as session:
            return set((await session.scalars(text("SELECT v FROM grouped"))).all())


@pytest.fixture
async def table(isolated: IsolatedDb) -> AsyncIterator[Table]:
    created = Table(isolated)
    await created.create()
    yield created
    await created.drop()


async def test_concurrent_writes_share_transactions_and_each_caller_gets_its_result(
    table: Table,
) -> None:
    group: GroupCommit[str, str] = GroupCommit(table.isolated.owner, table.write)
    items = [f"v{n}" for n in range(60)]
    results = await asyncio.gather(*(group.submit(item) for item in items))
    assert results == [item.upper() for item in items]
    assert await table.rows() == set(items)
    assert sorted(v for g in table.groups for v in g) == sorted(items)
    # The first caller's write starts alone; the rest queue behind it and go together.
    assert len(table.groups) < 10, table.groups


async def test_a_refused_item_fails_alone_in_its_shared_transaction(table: Table) -> None:
    group: GroupCommit[str, str] = GroupCommit(table.isolated.owner, table.write)
    outcomes = await asyncio.gather(
        *(group.submit(item) for item in ["a", "refuse-b", "c"]), return_exceptions=True
    )
    assert outcomes[0] == "A"
    assert outcomes[2] == "C"
    assert isinstance(outcomes[1], Refused)
    assert await table.rows() == {"a", "c"}


async def test_a_write_that_breaks_the_transaction_is_retried_alone(table: Table) -> None:
    group: GroupCommit[str, str] = GroupCommit(table.isolated.owner, table.write)
    assert await group.submit("x") == "X"
    # "boom-x" collides with the stored "x": its group's transaction fails, so each of the
    # group's writes is tried again on its own, and only the colliding one fails.
    outcomes = await asyncio.gather(
        *(group.submit(item) for item in ["y", "boom-x", "z"]), return_exceptions=True
    )
    assert outcomes[0] == "Y"
    assert outcomes[2] == "Z"
    assert isinstance(outcomes[1], Exception)
    assert "duplicate key" in str(outcomes[1])
    assert await table.rows() == {"x", "y", "z"}
