"""``orchestrator channel watch`` and ``channel send`` against the real stack: the watcher
opens a session with the stored login, prints each event as a line (its JSON with
``--json``), sees what another participant sends, and ends on Ctrl-C by closing its
session; a watcher whose session a newer one displaced says so and exits 1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.integration.test_channel_statuses import admin_of
from tests.integration.test_cli_events_tail import interruptible, lines_of, next_line
from tests.support.cli import Cli
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


def watcher(cli: Cli, *args: str) -> subprocess.Popen[str]:
    """``orchestrator channel watch`` as a child process, its output piped."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(cli.config)}
    return subprocess.Popen(
        [sys.executable, "-m", "orchestrator.cli.main", "channel", "watch", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )


async def test_channel_watch_prints_events_and_closes_its_session_on_ctrl_c(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, tmp_path: Path
) -> None:
    cli = Cli(config=tmp_path / "config", cwd=tmp_path)
    cli.ok(*Cli.login_command(stack, tenant))
    admin = await admin_of(http, stack, tenant)
    watch = watcher(cli, "--json")
    try:
        assert watch.stdout is not None
        assert watch.stderr is not None
        printed, said = lines_of(watch.stdout), lines_of(watch.stderr)
        opened = next_line(said)
        assert opened.startswith("session ")
        assert " open (" in opened
        session = opened.split()[1]
        assert json.loads(next_line(printed))["type"] == "snapshot"

        mine = (await admin.open())["id"]  # another session: presence, then an action
        assert json.loads(next_line(printed))["type"] == "presence"
        assert (await admin.act(mine, "deployed")).status_code == 202
        event = json.loads(next_line(printed))
        assert (event["type"], event["action"], event["count"]) == ("action", "deployed", 1)
        assert event["actor"]["kind"] == "operator"

        sent = cli.ok("channel", "send", "ready")  # a session of its own, closed after
        assert "ready (count 1)" in sent
        kinds = [json.loads(next_line(printed))["type"] for _ in range(3)]
        assert kinds == ["presence", "action", "presence"]

        watch.send_signal(signal.SIGINT)
        assert watch.wait(timeout=10) == 0
        assert next_line(said) == f"session {session} closed"
        # The session is gone: acting in it is refused.
        gone = await http.post(
            f"{stack.url('control-api')}/api/v1/channel/actions",
            json={"session": session, "action": "ready"},
            headers=admin.headers,
        )
        assert gone.status_code == 404
        # No free text: an action outside the catalogue is refused in one line.
        refused = cli.fails("channel", "send", "ship it now")
        assert "422" in refused
        assert "Traceback" not in refused
    finally:
        watch.kill()
        watch.communicate()
    cli.assert_no_secret(tenant)


async def test_channel_watch_ends_when_a_newer_session_takes_its_place(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, tmp_path: Path
) -> None:
    cli = Cli(config=tmp_path / "config", cwd=tmp_path)
    cli.ok(*Cli.login_command(stack, tenant))
    admin = await admin_of(http, stack, tenant)  # the same operator as the login
    watch = watcher(cli)
    try:
        assert watch.stdout is not None
        assert watch.stderr is not None
        printed, said = lines_of(watch.stdout), lines_of(watch.stderr)
        session = next_line(said).split()[1]
        assert " snapshot " in f" {next_line(printed)} "
        for _ in range(3):  # three newer sessions of the same operator: the cap is three
            await admin.open()
        kinds = [next_line(printed).split()[1]]
        while kinds[-1] != "closed" and len(kinds) < 5:  # after a presence or two
            kinds.append(next_line(printed).split()[1])
        assert kinds[-1] == "closed", kinds
        assert set(kinds[:-1]) <= {"presence"}, kinds
        assert watch.wait(timeout=10) == 1
        assert next_line(said) == f"session {session} ended: closed"
    finally:
        watch.kill()
        watch.communicate()
