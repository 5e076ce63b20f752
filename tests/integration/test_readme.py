"""The README runs as pasted: its first shell block is the two set-up commands, and every
later one runs, in order and in one shell of a clean environment, against a live
``orchestrator run`` (what ``make run`` runs), failing on any non-zero exit, a curl that
gets an error status included. The machinery is ``tests/support/walkthrough.py``, shared
with the runbooks' test (``test_runbooks.py``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.walkthrough import ROOT, commands, dev_stack, own_database, shell_blocks

pytestmark = pytest.mark.integration

README = ROOT / "README.md"


def test_the_readme_opens_with_exactly_the_two_setup_commands() -> None:
    assert commands(shell_blocks(README)[0]) == ["make run", "make test"]


@pytest.fixture
def stack_database(database_url: str) -> Iterator[str]:
    """An empty database of its own, as a fresh ``make run`` has."""
    with own_database(database_url, "orch_readme") as url:
        yield url


def test_every_later_block_runs_as_pasted_against_make_run(
    stack_database: str, service_env: dict[str, str], tmp_path: Path
) -> None:
    with dev_stack(stack_database, service_env["REDIS_URL"], tmp_path) as stack:
        said = stack.run("\n".join(shell_blocks(README)[1:]))
    assert '"received":{"order":42}' in said
    assert re.search(r"job [0-9a-f-]{36}: succeeded", said)
    assert '200 {"status":"accepted"}' in said
    assert re.search(r"job [0-9a-f-]{36}: dead", said)
    assert '"replayed":1' in said
    # Stopped, the stack said what it left running (the database and Redis were given).
    assert "left running" in stack.stack_log()
    assert not (stack.checkout / ".data" / "stack.env").exists()
