"""``/w/{id}/run``: run a connector's operation for a workspace, its payload filled in a form
generated from the operation's JSON Schema. The console's server calls the exec-api with a
one-shot impersonation token (``acting.py``), so no workspace token reaches the browser."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from orchestrator.console.acting import one_shot_token
from orchestrator.console.context import Console
from orchestrator.console.errors import ApiProblem, BadForm, detail_of
from orchestrator.console.failures import wants_html
from orchestrator.console.listing import Cursor
from orchestrator.console.operations import (
    WAYS,
    Operation,
    Outcome,
    how_of,
    operations_of,
    outcome_of,
    request_body,
)
from orchestrator.console.pages.submitted import field, parse_document, posted, required_reason
from orchestrator.console.render import page

RUN = "impersonation:start"
"""A run acts as the workspace, through an impersonation: who may start one may run."""


async def connector_types(console: Console) -> list[dict[str, Any]]:
    """Every connector type this deployment has."""
    types: list[dict[str, Any]] = (await console.control("GET", "/connector-types"))["items"]
    return types


async def operation_of(
    console: Console, workspace: uuid.UUID, connector: str, operation: str
) -> Operation:
    """One operation of one of the workspace's connectors (404 naming what is missing)."""
    found, types = await asyncio.gather(
        console.control("GET", f"/connectors/{connector}", workspace=workspace),
        connector_types(console),
    )
    chosen = next((op for op in operations_of(found, types) if op.name == operation), None)
    if chosen is None:
        raise BadForm(f"Connector {connector} has no operation {operation!r}.", 404)
    return chosen


def form_url(workspace: uuid.UUID, operation: Operation) -> str:
    """The run form of ``operation``."""
    return f"/w/{workspace}/run/{operation.connector}/{operation.name}"


@get("/w/{workspace:uuid}/run")
async def operations(console: Console, workspace: uuid.UUID, cursor: Cursor = "") -> Template:
    """The operations of the workspace's connectors, a page of connectors at a time."""
    found, types = await asyncio.gather(
        console.control(
            "GET",
            "/connectors",
            workspace=workspace,
            params={"cursor": cursor, "limit": console.settings.console.page_size},
        ),
        connector_types(console),
    )
    return await page(
        console,
        "run.html",
        rows=[(c, operations_of(c, types)) for c in found["items"]],
        next_cursor=found["next_cursor"],
    )


async def form_page(
    console: Console,
    operation: Operation,
    *,
    document: str = "{}",
    how: str = "now",
    reason: str = "",
    outcome: Outcome | None = None,
    status_code: int = 200,
) -> Template:
    """The run form, with the last run's outcome when there was one."""
    return await page(
        console,
        "run_form.html",
        status_code=status_code,
        operation=operation,
        ways=WAYS,
        how=how,
        document=document,
        reason=reason,
        outcome=outcome,
    )


@get("/w/{workspace:uuid}/run/{connector:str}/{operation:str}")
async def run_form(
    console: Console, workspace: uuid.UUID, connector: str, operation: str
) -> Template:
    """The payload form of one operation."""
    console.may(RUN)
    return await form_page(console, await operation_of(console, workspace, connector, operation))


@post("/w/{workspace:uuid}/run", status_code=200)
async def run(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Response[Any] | Template | Redirect:
    """Run it: now (the answer shown) or as a job (to its page; a script gets JSON)."""
    console.may(RUN)
    form = await posted(request)
    operation = await operation_of(
        console, workspace, field(form, "connector"), field(form, "operation")
    )
    how = how_of(field(form, "how"))
    document = field(form, "document") or "{}"
    try:
        if how is None:
            raise BadForm("Choose how to run it: now or as a job.", 422)
        payload = parse_document(document)
        reason = required_reason(form)
        way = WAYS[how]
        async with one_shot_token(console, workspace, way.scope, reason) as token:
            answer = await console.backend.exec_call(
                token, way.path, request_body(operation, payload)
            )
        outcome = outcome_of(operation, answer)
    except (ApiProblem, BadForm) as problem:
        status = problem.status if problem.status < 500 else 502
        outcome = Outcome(False, f"Not run: {detail_of(problem)}", status=status)
    if not wants_html(request):
        return Response(
            {"ok": outcome.ok, "notice": outcome.notice, "job_id": outcome.job_id},
            status_code=outcome.status,
        )
    if outcome.job_id:
        await console.flash("ok", outcome.notice)
        return Redirect(f"/w/{workspace}/jobs/{outcome.job_id}", status_code=303)
    return await form_page(
        console,
        operation,
        document=document,
        how=how or "now",
        reason=field(form, "reason"),
        outcome=outcome,
        status_code=outcome.status,
    )


RUN_PAGES = [operations, run_form, run]
