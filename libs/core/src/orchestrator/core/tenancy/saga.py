"""A minimal saga runner: steps with compensations, run forward, undone backward."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.errors import Conflict

Action = Callable[[], Awaitable[None]]
_Row = TypeVar("_Row")


@dataclass(frozen=True)
class Step:
    """One forward action and the compensation that undoes it."""

    name: str
    action: Action
    compensate: Action | None = None


class SagaFailed(Exception):
    """A step failed; every completed step was compensated."""

    def __init__(self, step: str, cause: BaseException) -> None:
        super().__init__(f"step {step!r} failed: {cause}")
        self.step = step
        self.cause = cause


async def run_saga(steps: Sequence[Step]) -> None:
    """Run ``steps`` in order; on a failure compensate the done ones in reverse.

    Every action and compensation must be idempotent: a crashed saga is
    resumed by running it again from the start.
    """
    done: list[Step] = []
    for step in steps:
        try:
            await step.action()
        except Exception as exc:
            for finished in reversed([*done, step]):
                if finished.compensate is not None:
                    await finished.compensate()
            raise SagaFailed(step.name, exc) from exc
        done.append(step)


async def reserve(session: AsyncSession, row: _Row, race: str) -> tuple[_Row, bool]:
    """Insert a saga's PENDING ``row`` (then it and True); 409 ``race`` when a concurrent
    request inserted the same operation or name first."""
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(race) from exc
    return row, True
