"""The saga runner compensates completed steps in reverse order."""

from __future__ import annotations

import pytest

from orchestrator.core.tenancy.saga import SagaFailed, Step, run_saga


def recorder(log: list[str], name: str, fail: bool = False):  # type: ignore[no-untyped-def]
    async def action() -> None:
        log.append(name)
        if fail:
            raise RuntimeError(name)

    return action


async def test_all_steps_run_in_order_when_none_fails() -> None:
    log: list[str] = []
    await run_saga(
        [Step("a", recorder(log, "a"), recorder(log, "undo-a")), Step("b", recorder(log, "b"))]
    )
    assert log == ["a", "b"]


async def test_a_failure_compensates_done_steps_backwards_including_the_failed_one() -> None:
    log: list[str] = []
    steps = [
        Step("a", recorder(log, "a"), recorder(log, "undo-a")),
        Step("b", recorder(log, "b"), recorder(log, "undo-b")),
        Step("c", recorder(log, "c", fail=True), recorder(log, "undo-c")),
        Step("d", recorder(log, "d"), recorder(log, "undo-d")),
    ]
    with pytest.raises(SagaFailed) as failed:
        await run_saga(steps)
    assert failed.value.step == "c"
    assert log == ["a", "b", "c", "undo-c", "undo-b", "undo-a"]
