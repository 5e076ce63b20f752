"""The operator command groups load lazily: ``orchestrator --help`` lists them without
importing them or the HTTP client, and shell completion still reaches their commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

COMMAND = [sys.executable, "-m", "orchestrator.cli.main"]


def test_help_lists_the_operator_groups_without_importing_them() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *COMMAND[1:], "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for group in ("login", "connectors", "bundle", "versions", "dlq", "events", "execute"):
        assert f"\n  {group} " in done.stdout
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert "httpx" not in imported
    assert not {name for name in imported if name.startswith("orchestrator.cli.remote")}


def test_completion_reaches_a_lazy_groups_commands() -> None:
    env = {
        **os.environ,
        "_ORCHESTRATOR_COMPLETE": "complete_bash",
        "COMP_WORDS": "orchestrator connectors ",
        "COMP_CWORD": "2",
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "orchestrator")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.split() == ["list", "get"], done
