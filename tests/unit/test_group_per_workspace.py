"""``per_workspace``: one write per workspace, and a workspace's failure is its own."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from orchestrator.core.db.group_commit import per_workspace

A, B = uuid.uuid4(), uuid.uuid4()
Item = tuple[uuid.UUID, str]


class Refused(Exception):
    pass


class Writes:
    """A write that answers ``name!`` per item and refuses workspace B; records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[uuid.UUID, list[str]]] = []

    async def __call__(self, workspace_id: uuid.UUID, items: list[Item]) -> list[str]:
        self.calls.append((workspace_id, [name for _, name in items]))
        if workspace_id == B:
            raise Refused("b")
        return [f"{name}!" for _, name in items]


def _workspace(item: Item) -> uuid.UUID:
    return item[0]


def test_each_workspace_is_written_once_and_results_keep_the_items_order() -> None:
    writes = Writes()
    group = [(A, "a1"), (B, "b1"), (A, "a2")]
    results = asyncio.run(per_workspace(group, _workspace, writes, Refused))
    assert writes.calls == [(A, ["a1", "a2"]), (B, ["b1"])]
    assert results[0] == "a1!"
    assert results[2] == "a2!"
    assert isinstance(results[1], Refused)


def test_a_failure_it_is_not_told_to_catch_fails_the_whole_group() -> None:
    with pytest.raises(Refused):
        asyncio.run(per_workspace([(A, "a1"), (B, "b1")], _workspace, Writes(), KeyError))
