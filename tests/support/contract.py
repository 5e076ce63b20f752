"""Running schemathesis (its CLI, as CI would) against a service of the test stack."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import fetch_token
from tests.support.stack import Stack

CONFIG = Path(__file__).parents[1] / "contract" / "schemathesis.toml"
MAX_EXAMPLES = 20
"""Generated cases an operation gets in the fuzzing phases (the coverage phase adds its own
boundary cases, the examples phase the documented ones): enough to reach every documented
status. At 35 the control-api's run alone took 140 to 240 s on this 2-core VM, the longest
file of ``make test``."""
WORKERS = 1
"""Operations tested at once (schemathesis's ``--workers``). One: with two, hypothesis
describes its filters by parsing their source with ``ast.parse`` from two threads, which
CPython 3.11 does not allow (``SystemError: AST constructor recursion depth mismatch``),
so a run failed now and then for no fault of the API."""
RUN_TIMEOUT_S = 420
"""A run on a loaded 2-core machine: the control-api's takes about two minutes alone."""

SIGN_OUT = "DELETE /api/v1/tokens/self"
ROTATION = "POST /api/v1/operators/{operator_id}/rotate-secret"
DELETE_WORKSPACE = "DELETE /api/v1/workspaces/{workspace_id}"
"""Given its own workspace's id by a link (the stateful phase follows them), a run deletes
the workspace it runs in, and every later case sees a workspace being deleted (409)."""
EVENT_STREAM = "/api/v1/events/stream"
"""A live event stream never ends by itself: tests/integration/test_events.py covers it."""
CHANNEL_STREAM = "/api/v1/channel/stream"
"""Nor does a channel's stream while its session lives: tests/integration/test_channel_*.py
cover it."""


CONFIGURATION_PATHS = (
    r"^/api/v1/(configs|connectors|connector-types|policies|quotas|secret-refs|drafts"
    r"|versions|bundles|schedules|workflows|workflow-runs)(/|$)"
)
"""About half of the control-api's operations: the configuration a workspace runs on. The
main run is split in two at this line (``test_control_api_*_contract.py``), so that its
minutes run in both of ``make test``'s sessions at once; links between operations that the
stateful phase follows stay within one half."""


async def run_control_api_contract(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, workdir: Path, *selection: str
) -> None:
    """The control-api's main schemathesis run over the operations ``selection`` picks."""
    await run_schemathesis(
        stack.url("control-api"),
        workdir,
        *selection,
        "--exclude-path",
        EVENT_STREAM,
        "--exclude-path",
        CHANNEL_STREAM,
        # Each would revoke the run's token, leaving later operations only 401s: they have
        # runs of their own (test_openapi_contract.py).
        "--exclude-name",
        SIGN_OUT,
        "--exclude-name",
        ROTATION,
        # And this one would delete the run's own workspace: it has a run of its own too.
        "--exclude-name",
        DELETE_WORKSPACE,
        *await bearer_header(http, stack, tenant, "control"),
    )


async def bearer_header(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, identity: str | None
) -> list[str]:
    """``-H`` arguments carrying a valid token of ``identity``, if any."""
    if identity is None:
        return []
    client_id, secret = {
        "control": (tenant.control_client_id, tenant.control_client_secret),
        "exec": (tenant.exec_client_id, tenant.exec_client_secret),
    }[identity]
    token = await fetch_token(http, stack.url("control-api"), client_id, secret)
    return ["-H", f"Authorization: Bearer {token}"]


async def run_schemathesis(
    url: str, workdir: Path, *options: str, config: Path = CONFIG, phases: str = ""
) -> None:
    """Run schemathesis on the schema of the service at ``url``; fail with its report."""
    argv = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{url}/schema/openapi.json",
        "--checks",
        "all",
        "--phases",
        phases or "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        str(WORKERS),
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--no-color",
        *options,
    ]
    # In workdir, so nothing schemathesis caches lands in the repository.
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    report = output.decode(errors="replace")
    assert process.returncode == 0, f"schemathesis failed against {url}:\n{report}"
