"""``/w/{id}/identity``: the organization's operators and the workspace's service identities;
create, disable, enable, rotate a secret. A new secret is shown once, in the answer to the
post that made it: never in a URL, a stored notice or a log."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Template

from orchestrator.console.context import Console, provide_console
from orchestrator.console.errors import ApiProblem, refusal
from orchestrator.console.pages.submitted import (
    NO_REASON,
    back,
    field,
    fields,
    posted,
    reason_of,
)
from orchestrator.console.render import page
from orchestrator.core.auth.claims import EXEC_SCOPES, OperatorRole

DEPENDENCIES = {"console": provide_console}
WRITE = "identity:write"
Cursor = Annotated[str, Parameter(max_length=400)]
BREAK_GLASS = OperatorRole.BREAK_GLASS_ADMIN.value
OPERATORS, IDENTITIES = "/operators", "/service-identities"


def roles_offered(own_role: str) -> list[str]:
    """The roles an admin may give: only a BreakGlassAdmin may make another (the API agrees)."""
    return [
        role.value for role in OperatorRole if role.value != BREAK_GLASS or own_role == BREAK_GLASS
    ]


def _listing(workspace: uuid.UUID) -> str:
    return f"/w/{workspace}/identity"


@get("/w/{workspace:uuid}/identity", dependencies=DEPENDENCIES)
async def identity_page(
    console: Console,
    workspace: uuid.UUID,
    operators_cursor: Cursor = "",
    identities_cursor: Cursor = "",
) -> Template:
    """A page of operators and a page of service identities, each with its own cursor."""
    size = console.settings.console.page_size
    operators, identities, workspaces = await asyncio.gather(
        console.control("GET", OPERATORS, params={"cursor": operators_cursor, "limit": size}),
        console.control(
            "GET",
            IDENTITIES,
            workspace=workspace,
            params={"cursor": identities_cursor, "limit": size},
        ),
        console.control("GET", "/workspaces", params={"limit": 200}),
    )
    names = {item["id"]: item["name"] for item in workspaces["items"]}

    def later(key: str, cursor: str | None) -> dict[str, str] | None:
        # A next-page link keeps the other list where it is.
        if cursor is None:
            return None
        kept = {"operators_cursor": operators_cursor, "identities_cursor": identities_cursor}
        return {name: value for name, value in {**kept, key: cursor}.items() if value}

    return await page(
        console,
        "identity.html",
        workspace=str(workspace),
        section="identity",
        operators=operators["items"],
        identities=identities["items"],
        workspace_names=names,
        live_workspaces=[w for w in workspaces["items"] if w["status"] == "COMMITTED"],
        roles=roles_offered(console.session.role),
        scopes=EXEC_SCOPES,
        operators_next=later("operators_cursor", operators["next_cursor"]),
        identities_next=later("identities_cursor", identities["next_cursor"]),
        paged=bool(operators_cursor or identities_cursor),
    )


async def _secret_page(
    console: Console,
    workspace: uuid.UUID,
    *,
    kind: str,
    issued: dict[str, Any],
    member: str,
    created: bool,
) -> Template:
    """The one page that shows a new secret: the answer to the post itself (no redirect)."""
    return await page(
        console,
        "identity_secret.html",
        workspace=str(workspace),
        section="identity",
        status_code=201 if created else 200,
        kind=kind,
        holder=issued[member]["name"],
        client_id=issued["client_id"],
        client_secret=issued["client_secret"],
        created=created,
        listing=_listing(workspace),
    )


@post("/w/{workspace:uuid}/identity/operators", dependencies=DEPENDENCIES, status_code=201)
async def create_operator(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID
) -> Response[Any]:
    """A new operator of the organization; its secret is shown on this answer only."""
    console.may(WRITE)
    form = await posted(request)
    reason = reason_of(form)
    if reason is None:
        return await back(console, _listing(workspace), "error", NO_REASON)
    body = {
        "name": field(form, "name"),
        "role": field(form, "role"),
        "home_workspace_id": field(form, "home_workspace_id") or str(workspace),
    }
    try:
        issued = await console.control("POST", OPERATORS, params={"reason": reason}, json=body)
    except ApiProblem as problem:
        return await back(console, _listing(workspace), "error", refusal(problem))
    return await _secret_page(
        console, workspace, kind="operator", issued=issued, member="operator", created=True
    )


@post("/w/{workspace:uuid}/identity/service-identities", dependencies=DEPENDENCIES, status_code=201)
async def create_service_identity(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID
) -> Response[Any]:
    """A new service identity of the workspace; its secret is shown on this answer only."""
    console.may(WRITE)
    form = await posted(request)
    reason = reason_of(form)
    if reason is None:
        return await back(console, _listing(workspace), "error", NO_REASON)
    body = {"name": field(form, "name"), "scopes": fields(form, "scopes")}
    try:
        issued = await console.control(
            "POST", IDENTITIES, workspace=workspace, params={"reason": reason}, json=body
        )
    except ApiProblem as problem:
        return await back(console, _listing(workspace), "error", refusal(problem))
    return await _secret_page(
        console,
        workspace,
        kind="service identity",
        issued=issued,
        member="service_identity",
        created=True,
    )


async def _switch(
    console: Console,
    request: Request[Any, Any, Any],
    workspace: uuid.UUID,
    target: str,
    *,
    enable: bool,
) -> Response[Any]:
    """Disable or enable an operator or service identity, then back to the list."""
    console.may(WRITE)
    reason = reason_of(await posted(request))
    if reason is None:
        return await back(console, _listing(workspace), "error", NO_REASON)
    change = "enable" if enable else "disable"
    scoped = workspace if target.startswith(IDENTITIES) else None
    try:
        changed = await console.control(
            "POST", f"{target}/{change}", workspace=scoped, params={"reason": reason}
        )
    except ApiProblem as problem:
        return await back(console, _listing(workspace), "error", refusal(problem))
    what = "Service identity" if scoped else "Operator"
    done = "enabled" if enable else "disabled: every token it held is refused from now on"
    return await back(console, _listing(workspace), "ok", f"{what} {changed['name']} {done}.")


async def _rotate(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, target: str
) -> Response[Any]:
    """A new secret for an operator or service identity, shown on this answer only."""
    console.may(WRITE)
    reason = reason_of(await posted(request))
    if reason is None:
        return await back(console, _listing(workspace), "error", NO_REASON)
    scoped = workspace if target.startswith(IDENTITIES) else None
    try:
        issued = await console.control(
            "POST", f"{target}/rotate-secret", workspace=scoped, params={"reason": reason}
        )
    except ApiProblem as problem:
        return await back(console, _listing(workspace), "error", refusal(problem))
    kind, member = ("service identity", "service_identity") if scoped else ("operator", "operator")
    return await _secret_page(
        console, workspace, kind=kind, issued=issued, member=member, created=False
    )


OPERATOR = "/w/{workspace:uuid}/identity/operators/{operator_id:uuid}"
IDENTITY = "/w/{workspace:uuid}/identity/service-identities/{identity_id:uuid}"


@post(f"{OPERATOR}/disable", dependencies=DEPENDENCIES, status_code=303)
async def disable_operator(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, operator_id: uuid.UUID
) -> Response[Any]:
    """Stop an operator getting tokens; every token it holds ends."""
    return await _switch(console, request, workspace, f"{OPERATORS}/{operator_id}", enable=False)


@post(f"{OPERATOR}/enable", dependencies=DEPENDENCIES, status_code=303)
async def enable_operator(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, operator_id: uuid.UUID
) -> Response[Any]:
    """Let a disabled operator get tokens again."""
    return await _switch(console, request, workspace, f"{OPERATORS}/{operator_id}", enable=True)


@post(f"{OPERATOR}/rotate-secret", dependencies=DEPENDENCIES, status_code=200)
async def rotate_operator_secret(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, operator_id: uuid.UUID
) -> Response[Any]:
    """A new secret for an operator; the old one and its tokens stop working."""
    return await _rotate(console, request, workspace, f"{OPERATORS}/{operator_id}")


@post(f"{IDENTITY}/disable", dependencies=DEPENDENCIES, status_code=303)
async def disable_service_identity(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, identity_id: uuid.UUID
) -> Response[Any]:
    """Stop a service identity getting tokens; every token it holds ends."""
    return await _switch(console, request, workspace, f"{IDENTITIES}/{identity_id}", enable=False)


@post(f"{IDENTITY}/enable", dependencies=DEPENDENCIES, status_code=303)
async def enable_service_identity(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, identity_id: uuid.UUID
) -> Response[Any]:
    """Let a disabled service identity get tokens again."""
    return await _switch(console, request, workspace, f"{IDENTITIES}/{identity_id}", enable=True)


@post(f"{IDENTITY}/rotate-secret", dependencies=DEPENDENCIES, status_code=200)
async def rotate_service_identity_secret(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, identity_id: uuid.UUID
) -> Response[Any]:
    """A new secret for a service identity; the old one and its tokens stop working."""
    return await _rotate(console, request, workspace, f"{IDENTITIES}/{identity_id}")


IDENTITY_PAGES = [
    identity_page,
    create_operator,
    create_service_identity,
    disable_operator,
    enable_operator,
    rotate_operator_secret,
    disable_service_identity,
    enable_service_identity,
    rotate_service_identity_secret,
]
