"""``/w/{id}/first-run``: the happy path of a new workspace on one page. Create a policy and a
connector from a few fields, start watching the workspace's events (an impersonation that
can only read), then run an operation as a job and see its events arrive live beside it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from orchestrator.console.context import Console
from orchestrator.console.operations import operations_of
from orchestrator.console.pages.impersonation import DEFAULT_TTL_S, START, begin
from orchestrator.console.pages.run import RUN, connector_types
from orchestrator.console.pages.submitted import act, field, posted, required_reason
from orchestrator.console.render import page
from orchestrator.console.starter import (
    connector_document,
    policy_document,
    steps,
    whole_number,
)

WRITE = "configuration:write"
SHOWN = 20
"""Policies and connectors the page lists (a first run has one or two)."""


def _here(workspace: uuid.UUID) -> str:
    return f"/w/{workspace}/first-run"


@get("/w/{workspace:uuid}/first-run")
async def first_run(console: Console, workspace: uuid.UUID) -> Template:
    """Where the workspace stands on each step, and the form of the next."""
    policies, connectors, types = await asyncio.gather(
        console.control("GET", "/policies", workspace=workspace, params={"limit": SHOWN}),
        console.control("GET", "/connectors", workspace=workspace, params={"limit": SHOWN}),
        connector_types(console),
    )
    running = console.session.impersonating()
    watching = running is not None and running.workspace_id == str(workspace)
    return await page(
        console,
        "first_run.html",
        steps=steps(bool(policies["items"]), bool(connectors["items"]), watching),
        policies=policies["items"],
        operations=[op for c in connectors["items"] for op in operations_of(c, types)],
        watching=watching,
        elsewhere=None if running is None or watching else running,
        may={"write": console.session.can(WRITE), "run": console.session.can(RUN)},
        upstream=console.backend.control_url,
    )


async def create(
    request: Request[Any, Any, Any],
    console: Console,
    workspace: uuid.UUID,
    kind: tuple[str, str],
    document_of: Callable[[FormMultiDict], dict[str, Any]],
) -> Redirect:
    """Create what ``document_of`` makes of the form, at ``kind`` (API path, noun), with the
    form's reason."""
    api, noun = kind
    console.may(WRITE)
    form = await posted(request)

    async def run() -> str:
        document = document_of(form)
        reason = required_reason(form)
        await console.control(
            "POST", api, workspace=workspace, params={"reason": reason}, json=document
        )
        return f"Created {noun} {document['name']}."

    return await act(console, _here(workspace), run)


def policy_of(form: FormMultiDict) -> dict[str, Any]:
    """Step one's document: a policy from its name, attempts, timeout and rate."""
    return policy_document(
        field(form, "name"),
        whole_number(field(form, "attempts"), "Attempts", 1, 20),
        whole_number(field(form, "timeout_s"), "The timeout", 1, 300),
        whole_number(field(form, "per_second"), "The rate", 1, 100_000),
    )


def connector_of(form: FormMultiDict) -> dict[str, Any]:
    """Step two's document: an HTTP connector with one operation, under the chosen policy."""
    return connector_document(
        *(field(form, name) for name in ("name", "base_url", "operation", "path", "policy"))
    )


@post("/w/{workspace:uuid}/first-run/policy", status_code=303)
async def create_policy(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect:
    """Step one: create the policy."""
    return await create(request, console, workspace, ("/policies", "policy"), policy_of)


@post("/w/{workspace:uuid}/first-run/connector", status_code=303)
async def create_connector(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect:
    """Step two: create the connector."""
    return await create(request, console, workspace, ("/connectors", "connector"), connector_of)


@post("/w/{workspace:uuid}/first-run/watch", status_code=303)
async def watch(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect:
    """Step three: impersonate the workspace (read only) so its event stream can be relayed."""
    console.may(START)
    form = await posted(request)

    async def run() -> str:
        details = await begin(console, workspace, required_reason(form), DEFAULT_TTL_S)
        return f"Watching {details['name']}: its events appear below as they happen."

    return await act(console, _here(workspace), run)


FIRST_RUN_PAGES = [first_run, create_policy, create_connector, watch]
