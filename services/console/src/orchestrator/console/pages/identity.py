"""``/w/{id}/identity``: the organization's operators and the workspace's service identities;
create, disable, enable, rotate a secret. A new secret is shown once, in the answer to the
post that made it: never in a URL, a stored notice or a log."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Template

from orchestrator.console.context import Console, provide_console
from orchestrator.console.errors import ApiProblem, BadForm, refusal
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


OPERATOR = "/w/{workspace:uuid}/identity/operators/{holder_id:uuid}"
IDENTITY = "/w/{workspace:uuid}/identity/service-identities/{holder_id:uuid}"
CHANGES = {"disable": False, "enable": True}


@dataclass(frozen=True, slots=True)
class Holder:
    """An operator or a service identity, as the control-api addresses it."""

    path: str
    scoped: uuid.UUID | None
    """The workspace the API call names (service identities live in one)."""
    kind: str
    member: str


def holder_of(
    request: Request[Any, Any, Any], workspace: uuid.UUID, holder_id: uuid.UUID
) -> Holder:
    """Whose credentials a URL under ``OPERATOR`` or ``IDENTITY`` names."""
    if "/identity/service-identities/" in request.url.path:
        return Holder(
            f"{IDENTITIES}/{holder_id}", workspace, "service identity", "service_identity"
        )
    return Holder(f"{OPERATORS}/{holder_id}", None, "operator", "operator")


@post(
    [f"{OPERATOR}/{{change:str}}", f"{IDENTITY}/{{change:str}}"],
    dependencies=DEPENDENCIES,
    status_code=303,
)
async def switch(
    console: Console,
    request: Request[Any, Any, Any],
    workspace: uuid.UUID,
    holder_id: uuid.UUID,
    change: str,
) -> Response[Any]:
    """Disable (every token it holds ends) or enable an operator or service identity."""
    if change not in CHANGES:
        raise BadForm("No such page.", 404)
    console.may(WRITE)
    reason = reason_of(await posted(request))
    if reason is None:
        return await back(console, _listing(workspace), "error", NO_REASON)
    holder = holder_of(request, workspace, holder_id)
    try:
        changed = await console.control(
            "POST", f"{holder.path}/{change}", workspace=holder.scoped, params={"reason": reason}
        )
    except ApiProblem as problem:
        return await back(console, _listing(workspace), "error", refusal(problem))
    done = "enabled" if CHANGES[change] else "disabled: every token it held is refused from now on"
    text = f"{holder.kind.capitalize()} {changed['name']} {done}."
    return await back(console, _listing(workspace), "ok", text)


@post(
    [f"{OPERATOR}/rotate-secret", f"{IDENTITY}/rotate-secret"],
    dependencies=DEPENDENCIES,
    status_code=200,
)
async def rotate_secret(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, holder_id: uuid.UUID
) -> Response[Any]:
    """A new secret for an operator or service identity, shown on this answer only; the old
    one and its tokens stop working."""
    console.may(WRITE)
    reason = reason_of(await posted(request))
    if reason is None:
        return await back(console, _listing(workspace), "error", NO_REASON)
    holder = holder_of(request, workspace, holder_id)
    try:
        issued = await console.control(
            "POST",
            f"{holder.path}/rotate-secret",
            workspace=holder.scoped,
            params={"reason": reason},
        )
    except ApiProblem as problem:
        return await back(console, _listing(workspace), "error", refusal(problem))
    return await _secret_page(
        console, workspace, kind=holder.kind, issued=issued, member=holder.member, created=False
    )


IDENTITY_PAGES = [
    identity_page,
    create_operator,
    create_service_identity,
    switch,
    rotate_secret,
]
