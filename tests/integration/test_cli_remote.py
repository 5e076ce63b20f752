"""Operator commands (issue 14): the real ``orchestrator`` against the session's stack as
a stored login; what an API refuses is one line and exit 1, a missing reason a usage
error (exit 2), ``--json`` is the API's JSON, and no secret is ever printed."""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.cli import Cli, exec_token, queue_job, reaching
from tests.support.execution import http_connector
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import store_delivery, stripe_event

pytestmark = pytest.mark.integration

REASON = ("--reason", "cli test")


@pytest.fixture
def cli(tmp_path: Path, stack: Stack, tenant: BootstrapResult) -> Iterator[Cli]:
    """The CLI logged in (profile ``default``) as the tenant's two identities."""
    runner = Cli(config=tmp_path / "config", cwd=tmp_path)
    runner.ok(*Cli.login_command(stack, tenant))
    yield runner
    runner.assert_no_secret(tenant)


def write_bundle(path: Path, bundle: dict[str, Any]) -> Path:
    path.write_text(json.dumps(bundle))
    return path


def test_login_stores_a_private_profile_and_never_prints_a_secret(
    cli: Cli, stack: Stack, tenant: BootstrapResult, tmp_path: Path
) -> None:
    stored = cli.config / "orchestrator" / "profiles.toml"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert tenant.control_client_secret in stored.read_text()

    # A wrong secret is one line, and stores nothing.
    wrong = Cli.login_command(stack, tenant, secret="not-the-secret")
    line = cli.fails(*wrong, "--profile", "wrong")
    assert line.startswith("orchestrator: 401 "), line

    # The dev stack's credentials, as `make run` writes them for a second shell.
    (tmp_path / ".data").mkdir()
    (tmp_path / ".data" / "demo.env").write_text(
        f"export CONTROL_API_URL={stack.url('control-api')}\n"
        f"export EXEC_API_URL={stack.url('exec-api')}\n"
        f"export OPERATOR_CLIENT_ID={tenant.control_client_id}\n"
        f"export OPERATOR_CLIENT_SECRET='{tenant.control_client_secret}'\n"
        f"export EXEC_CLIENT_ID={tenant.exec_client_id}\n"
        f"export EXEC_CLIENT_SECRET='{tenant.exec_client_secret}'\n"
    )
    assert "profile 'dev'" in cli.ok("login", "--from-dev-stack", "--profile", "dev")

    listed = cli.ok("profiles").splitlines()
    assert [line.split()[:2] for line in listed[1:]] == [
        ["*", "default"],
        ["dev", stack.url("control-api")],
    ]
    rows = json.loads(cli.ok("profiles", "--json"))
    assert {r["name"]: r["default"] for r in rows} == {"default": True, "dev": False}
    assert all("client_secret" not in r and "exec_client_secret" not in r for r in rows)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    assert "removed" in cli.ok("logout", "--profile", "dev")
    line = cli.fails("connectors", "list", ORCH_PROFILE="dev")
    assert line.startswith("orchestrator: no profile 'dev'"), line


def test_configuration_lists_gets_and_bundles(
    cli: Cli, upstream: UpstreamServer, tmp_path: Path
) -> None:
    names = sorted(f"c{n}-{uuid.uuid4().hex[:6]}" for n in range(3))
    bundle = write_bundle(
        tmp_path / "bundle.json",
        {
            "policies": [{"name": "quick", "spec": {"retry": {"max_attempts": 2}}}],
            "connectors": [
                {"name": n, "type": "http", "config": http_connector(upstream), "policy": "quick"}
                for n in names
            ],
        },
    )
    # A reason is required: a usage error, before any request.
    assert "--reason" in cli.fails("bundle", "apply", str(bundle), status=2)
    preview = cli.ok("bundle", "apply", str(bundle), "--dry-run", *REASON)
    assert f"+ connector {names[0]}" in preview
    assert "+ policy quick" in preview
    assert cli.ok("connectors", "list").splitlines()[1:] == []  # a dry run changes nothing
    # Asked, on stderr: "no" changes nothing; "yes" applies.
    refused = cli("bundle", "apply", str(bundle), *REASON, stdin="n\n")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Apply these changes? [y/N]:")
    assert refused.stderr.endswith("not applied\n")
    applied = cli("bundle", "apply", str(bundle), *REASON, stdin="y\n")
    assert "applied: 4 changed" in applied.stdout, applied

    # Lists walk every page (two rows a page here).
    table = cli.ok("connectors", "list", ORCH_CLI_PAGE_SIZE="2").splitlines()
    assert table[0].split() == ["NAME", "TYPE", "POLICY", "ENABLED", "VERSION"]
    assert [row.split()[0] for row in table[1:]] == names
    listed = json.loads(cli.ok("connectors", "list", "--json", ORCH_CLI_PAGE_SIZE="2"))
    assert [c["name"] for c in listed] == names
    one = json.loads(cli.ok("connectors", "get", names[1], "--json"))
    assert one["policy"] == "quick"
    assert f"name        {names[1]}" in cli.ok("connectors", "get", names[1])
    line = cli.fails("connectors", "get", "no-such-connector")
    assert line.startswith("orchestrator: 404 "), line
    assert "quick" in cli.ok("policies", "list")
    workspaces = json.loads(cli.ok("workspaces", "list", "--json"))
    assert len(workspaces) == 1
    assert json.loads(cli.ok("workspaces", "get", workspaces[0]["name"], "--json")) == workspaces[0]
    # Another workspace by id (here the login's own; one outside the organization is refused).
    mine = cli.ok("connectors", "list", "--json", ORCH_WORKSPACE=workspaces[0]["id"])
    assert [c["name"] for c in json.loads(mine)] == names
    line = cli.fails("connectors", "list", "--workspace", str(uuid.uuid4()))
    assert line.startswith(("orchestrator: 403 ", "orchestrator: 404 ")), line
    for empty in ("sources", "workflows", "schedules"):
        assert json.loads(cli.ok(empty, "list", "--json")) == []
    assert cli.fails("sources", "get", "nope").startswith("orchestrator: 404 ")

    exported = tmp_path / "exported.json"
    cli.ok("bundle", "export", "-o", str(exported))
    assert sorted(c["name"] for c in json.loads(exported.read_text())["connectors"]) == names
    # Applying what was exported changes nothing: no question asked.
    assert "0 to change" in cli.ok("bundle", "apply", str(exported), *REASON)


def test_versions_list_diff_activate_and_rollback(
    cli: Cli, upstream: UpstreamServer, tmp_path: Path
) -> None:
    for n in range(2):
        spec = {"retry": {"max_attempts": n + 2}}
        bundle = write_bundle(tmp_path / f"b{n}.json", {"policies": [{"name": "p", "spec": spec}]})
        cli.ok("bundle", "apply", str(bundle), "--yes", *REASON)
    listed = json.loads(cli.ok("versions", "list", "--json"))
    active = listed["head"]["active"]
    previous = listed["head"]["previous"]
    assert [v["number"] for v in listed["items"]][:2] == [active, previous]
    table = cli.ok("versions", "list").splitlines()
    assert table[1].split()[:2] == ["*", str(active)]

    diff = cli.ok("versions", "diff", str(previous), str(active))
    assert diff.splitlines() == ["~ policies p", "    /spec/retry/max_attempts: 2 -> 3"]

    assert "--reason" in cli.fails("versions", "rollback", status=2)
    line = cli.fails("versions", "activate", str(previous), *REASON, "--expect", str(previous))
    assert line.startswith("orchestrator: 409 "), line
    assert f"active version {previous}" in cli.ok("versions", "rollback", *REASON)
    head = json.loads(cli.ok("versions", "activate", str(active), *REASON, "--json"))
    assert head["active"] == active


def test_execute_and_jobs(
    cli: Cli, stack: Stack, tenant: BootstrapResult, upstream: UpstreamServer, tmp_path: Path
) -> None:
    bundle = write_bundle(
        tmp_path / "b.json",
        {"connectors": [{"name": "pay", "type": "http", "config": http_connector(upstream)}]},
    )
    cli.ok("bundle", "apply", str(bundle), "--yes", *REASON)
    payload = json.dumps({"id": "o-1", "amount": 5})
    result = json.loads(cli.ok("execute", "pay", "charge", "--payload", payload, "--json"))
    assert result["status"] == "succeeded"
    shown = cli.ok("execute", "pay", "charge", "--payload", payload, "--idempotency-key", "k-1")
    assert shown.startswith("status")
    assert "\noutput\n" in shown
    line = cli.fails("execute", "no-such-connector", "charge", "--payload", payload)
    assert line.startswith("orchestrator: 404 "), line
    assert "--payload" in cli.fails("execute", "pay", "charge", "--payload", "{", status=2)

    assert json.loads(cli.ok("jobs", "list", "--json")) == []  # execute queues nothing

    token = exec_token(stack, tenant)
    job_id = queue_job(stack.url("exec-api"), token, "pay", "charge", delay_ms=3_600_000)
    assert [j["id"] for j in json.loads(cli.ok("jobs", "list", "--json"))] == [job_id]
    assert cli.ok("jobs", "list", "--status", "queued").splitlines()[1].split()[:2] == [
        job_id,
        "queued",
    ]
    assert json.loads(cli.ok("jobs", "cancel", job_id, "--json"))["status"] == "cancelled"
    assert "status           cancelled" in cli.ok("jobs", "get", job_id)
    line = cli.fails("jobs", "retry", job_id)  # only a dead job goes back to the queue
    assert line.startswith("orchestrator: 409 "), line
    assert cli.fails("jobs", "get", str(uuid.uuid4())).startswith("orchestrator: 404 ")


def test_dlq(
    cli: Cli, stack: Stack, tenant: BootstrapResult, upstream: UpstreamServer, tmp_path: Path
) -> None:
    config = {
        "base_url": upstream.url,
        "operations": {"fail": {"method": "GET", "path": "/status/503"}},
    }
    bundle = {
        "policies": [{"name": "once", "spec": {"retry": {"max_attempts": 1}}}],
        "connectors": [{"name": "down", "type": "http", "config": config, "policy": "once"}],
    }
    cli.ok("bundle", "apply", str(write_bundle(tmp_path / "b.json", bundle)), "--yes", *REASON)
    token, exec_url = exec_token(stack, tenant), stack.url("exec-api")
    dead = [queue_job(exec_url, token, "down", "fail") for _ in range(2)]
    for job_id in dead:
        reaching(f"{exec_url}/api/v1/jobs/{job_id}", token, "dead")

    table = cli.ok("dlq", "list", "--connector", "down").splitlines()
    assert sorted(row.split()[0] for row in table[1:]) == sorted(dead)
    assert len(json.loads(cli.ok("dlq", "list", "--limit", "1", "--json"))) == 1
    replayed = cli.ok("dlq", "replay", "--id", dead[0], *REASON).splitlines()
    assert replayed == ["replayed 1 dead job(s)", f"  {dead[0]}"]
    assert "--reason" in cli.fails("dlq", "purge", "--yes", status=2)
    purged = json.loads(cli.ok("dlq", "purge", "--yes", "--id", dead[1], *REASON, "--json"))
    assert purged == {"ids": [dead[1]], "purged": 1}


async def test_inbox(
    cli: Cli,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    bundle = {
        "secret_refs": [{"name": "s", "ref": "env://ORCH_TENANT_SECRET_UNUSED"}],
        "webhook_sources": [{"name": "shop", "provider": "stripe", "secret_refs": ["s"]}],
    }
    cli.ok("bundle", "apply", str(write_bundle(tmp_path / "b.json", bundle)), "--yes", *REASON)
    source = json.loads(cli.ok("sources", "get", "shop", "--json"))
    # A verified delivery, as the ingress stores it; with no binding the worker ignores it.
    entry = str(
        await store_delivery(
            app_sessions, tenant.tenant_id, uuid.UUID(source["id"]), "stripe", stripe_event()
        )
    )
    url = f"{stack.url('control-api')}/api/v1/webhooks/inbox/{entry}"
    reaching(url, exec_token(stack, tenant, operator=True), "ignored")

    table = cli.ok("inbox", "list", "--status", "ignored").splitlines()
    assert table[0].split() == [
        "ID",
        "STATUS",
        "EVENT_TYPE",
        "SOURCE_ID",
        "ATTEMPTS",
        "RECEIVED_AT",
        "LAST_ERROR",
    ]
    assert table[1].split()[:4] == [entry, "ignored", "charge.succeeded", source["id"]]
    assert json.loads(cli.ok("inbox", "get", entry, "--json"))["id"] == entry
    assert cli.fails("inbox", "get", str(uuid.uuid4())).startswith("orchestrator: 404 ")
    assert "--reason" in cli.fails("inbox", "retry", entry, status=2)
    assert json.loads(cli.ok("inbox", "retry", entry, *REASON, "--json"))["id"] == entry
    reaching(url, exec_token(stack, tenant, operator=True), "ignored")
    retried = cli.ok("inbox", "retry", "--status", "ignored", *REASON).splitlines()
    assert retried == ["retried 1 delivery", f"  {entry}"]


def test_a_service_that_does_not_answer_is_one_line(cli: Cli, tmp_path: Path) -> None:
    # The stored login, pointed at a port nobody listens on.
    stored = cli.config / "orchestrator" / "profiles.toml"
    text = stored.read_text()
    control = text.split('control_url = "')[1].split('"')[0]
    stored.write_text(text.replace(control, "http://127.0.0.1:9"))
    line = cli.fails("connectors", "list")
    assert line.startswith("orchestrator: http://127.0.0.1:9/oauth/token does not answer"), line
