"""``/w/{id}/identity``: the organization's operators and the workspace's service identities;
create, disable, enable, rotate a secret. A new secret is shown once, in the answer to the
post that made it: never in a URL, a stored notice or a log."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Template

from orchestrator.console.context import Console
from orchestrator.console.errors import BadForm
from orchestrator.console.listing import Cursor
from orchestrator.console.pages.submitted import (
    answer,
    call_with_reason,
    field,
    fields,
    posted,
    required_reason,
)
from orchestrator.console.render import page
from orchestrator.core.auth.claims import EXEC_SCOPES, OperatorRole

WRITE = "identity:write"
BREAK_GLASS = OperatorRole.BREAK_GLASS_ADMIN.value
OPERATORS, IDENTITIES = "/operators", "/service-identities"


def roles_offered(own_role: str) -> list[str]:
    """The roles an admin may give: only a BreakGlassAdmin may make another (the API agrees)."""
    return [
        role.value for role in OperatorRole if role.value != BREAK_GLASS or own_role == BREAK_GLASS
    ]


def _listing(workspace: uuid.UUID) -> str:
    return f"/w/{workspace}/identity"


@get("/w/{workspace:uuid}/identity")
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
    holder: Holder,
    issued: dict[str, Any],
    *,
    created: bool,
) -> Template:
    """The one page that shows a new secret: the answer to the post itself (no redirect)."""
    return await page(
        console,
        "identity_secret.html",
        status_code=201 if created else 200,
        kind=holder.kind,
        holder=issued[holder.member]["name"],
        client_id=issued["client_id"],
        client_secret=issued["client_secret"],
        created=created,
        listing=_listing(workspace),
    )


def new_operator(form: FormMultiDict, workspace: uuid.UUID) -> dict[str, Any]:
    """The create body of the operator the form describes (at home here unless it says)."""
    return {
        "name": field(form, "name"),
        "role": field(form, "role"),
        "home_workspace_id": field(form, "home_workspace_id") or str(workspace),
    }


def new_service_identity(form: FormMultiDict, workspace: uuid.UUID) -> dict[str, Any]:
    """The create body of the service identity the form describes."""
    return {"name": field(form, "name"), "scopes": fields(form, "scopes")}


@dataclass(frozen=True, slots=True)
class Holder:
    """The operators or a workspace's service identities, as the control-api addresses them."""

    path: str
    scoped: uuid.UUID | None
    """The workspace the API call names (service identities live in one)."""
    kind: str
    member: str
    new: Callable[[FormMultiDict, uuid.UUID], dict[str, Any]]
    """The create body of a new one, from the form and the page's workspace."""


ORGANIZATION_OPERATORS = Holder(OPERATORS, None, "operator", "operator", new_operator)


def service_identities(workspace: uuid.UUID) -> Holder:
    """The service identities of ``workspace``."""
    return Holder(
        IDENTITIES, workspace, "service identity", "service_identity", new_service_identity
    )


async def issue(
    console: Console,
    workspace: uuid.UUID,
    form: FormMultiDict,
    holder: Holder,
    *,
    path: str = "",
    body: dict[str, Any] | None = None,
) -> Response[Any]:
    """``POST {holder.path}{path}`` with the form's reason; the page of the secret it issues
    (a new holder's when ``body`` describes one), or back to the listing with the refusal."""

    async def issued() -> Template:
        got = await console.control(
            "POST",
            holder.path + path,
            workspace=holder.scoped,
            params={"reason": required_reason(form)},
            json=body,
        )
        return await _secret_page(console, workspace, holder, got, created=body is not None)

    return await answer(console, _listing(workspace), issued)


OPERATORS_URL = "/w/{workspace:uuid}/identity/operators"
IDENTITIES_URL = "/w/{workspace:uuid}/identity/service-identities"
OPERATOR = OPERATORS_URL + "/{holder_id:uuid}"
IDENTITY = IDENTITIES_URL + "/{holder_id:uuid}"
CHANGES = {"disable": False, "enable": True}


def holder_of(request: Request[Any, Any, Any], workspace: uuid.UUID) -> Holder:
    """Whose credentials a URL at or under ``OPERATORS_URL`` or ``IDENTITIES_URL`` names."""
    if "/identity/service-identities" in request.url.path:
        return service_identities(workspace)
    return ORGANIZATION_OPERATORS


@post([OPERATORS_URL, IDENTITIES_URL], status_code=201)
async def create(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID
) -> Response[Any]:
    """A new operator of the organization or service identity of the workspace; its secret
    is shown on this answer only."""
    console.may(WRITE)
    form = await posted(request)
    holder = holder_of(request, workspace)
    return await issue(console, workspace, form, holder, body=holder.new(form, workspace))


@post([f"{OPERATOR}/{{change:str}}", f"{IDENTITY}/{{change:str}}"], status_code=303)
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
    holder = holder_of(request, workspace)
    done = "enabled" if CHANGES[change] else "disabled: every token it held is refused from now on"
    return await call_with_reason(
        console,
        await posted(request),
        _listing(workspace),
        ("POST", f"{holder.path}/{holder_id}/{change}"),
        workspace=holder.scoped,
        done=lambda changed: f"{holder.kind.capitalize()} {changed['name']} {done}.",
    )


@post([f"{OPERATOR}/rotate-secret", f"{IDENTITY}/rotate-secret"], status_code=200)
async def rotate_secret(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, holder_id: uuid.UUID
) -> Response[Any]:
    """A new secret for an operator or service identity, shown on this answer only; the old
    one and its tokens stop working."""
    console.may(WRITE)
    form = await posted(request)
    holder = holder_of(request, workspace)
    return await issue(console, workspace, form, holder, path=f"/{holder_id}/rotate-secret")


IDENTITY_PAGES = [
    identity_page,
    create,
    switch,
    rotate_secret,
]
