"""``/w/{id}/versions``: the workspace's configuration versions newest first (ADR 0077),
the diff of any two, and moving the active pointer (rollback, activate) with a reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from orchestrator.console.context import Console
from orchestrator.console.diff import of_resources
from orchestrator.console.errors import ApiProblem, BadForm
from orchestrator.console.listing import Listing, list_page
from orchestrator.console.pages.submitted import Made, field, send_form
from orchestrator.console.render import page

WRITE = "configuration:write"
"""Moving the active version rewrites the configuration: the right its forms need."""
VERSION_MAX = 2_147_483_647
"""The largest version number the control-api accepts (a Postgres ``integer``)."""
VERSIONS = Listing("versions.html", "/versions", filters={})


async def head_of(console: Console, workspace: uuid.UUID) -> dict[str, Any] | None:
    """Which version is active, which one a rollback returns to, and the latest; None
    before the workspace's first version (the API answers 404 then)."""
    try:
        head: dict[str, Any] = await console.control("GET", "/versions/head", workspace=workspace)
    except ApiProblem as problem:
        if problem.status == 404:
            return None
        raise
    return head


@get("/w/{workspace:uuid}/versions")
async def versions(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Template:
    """A page of versions, newest first, the active one and the rollback's target marked."""
    head = await head_of(console, workspace)
    return await list_page(console, VERSIONS, request.query_params, workspace, head=head)


@get("/w/{workspace:uuid}/versions/diff")
async def version_diff(
    console: Console,
    workspace: uuid.UUID,
    before: Annotated[int, Parameter(query="from", ge=1, le=VERSION_MAX)],
    after: Annotated[int, Parameter(query="to", ge=1, le=VERSION_MAX)],
) -> Template:
    """What changed from version ``from`` to version ``to``: each resource, and for a
    changed one each field's pointer with its value before and after."""
    diff: dict[str, Any] = await console.control(
        "GET", "/versions/diff", workspace=workspace, params={"from": before, "to": after}
    )
    diff["changes"] = of_resources(diff["changes"])
    head = await head_of(console, workspace)
    return await page(console, "versions_diff.html", diff=diff, head=head)


@get("/w/{workspace:uuid}/versions/{number:int}")
async def version_page(
    console: Console,
    workspace: uuid.UUID,
    number: Annotated[int, Parameter(ge=1, le=VERSION_MAX)],
) -> Template:
    """One version: who made it, when and why, and the whole configuration it holds."""
    one: dict[str, Any] = await console.control("GET", f"/versions/{number}", workspace=workspace)
    head = await head_of(console, workspace)
    return await page(console, "version.html", version=one, head=head)


def expected_active(form: FormMultiDict, *, none_shown: bool = False) -> dict[str, str]:
    """The active version the page showed, sent so the API refuses (409) a move made on a
    stale page; 400 when the form lacks it (unless ``none_shown``: a page may show none
    before the workspace's first version)."""
    shown = field(form, "expected_active_version")
    if none_shown and not shown:
        return {}
    if not shown.isdigit() or not 1 <= int(shown) <= VERSION_MAX:
        raise BadForm("The form does not say which version it saw active; reload the page.")
    return {"expected_active_version": shown}


def now_active(head: dict[str, Any]) -> str:
    """The notice after a move: which version is active now."""
    return f"Version {head['active']} is active."


async def move(
    request: Request[Any, Any, Any],
    console: Console,
    workspace: uuid.UUID,
    path_of: Callable[[FormMultiDict], str],
    *,
    none_shown: bool = False,
) -> Redirect:
    """Move the active pointer by the control-api path ``path_of`` makes of the form, with
    its reason and the active version the page showed (``none_shown``: maybe none); to the
    versions list with a notice (the API's 409 when another move came first)."""

    def made(form: FormMultiDict) -> Made:
        params = expected_active(form, none_shown=none_shown)
        return ("POST", path_of(form)), {"workspace": workspace, "params": params}

    to = f"/w/{workspace}/versions"
    return await send_form(request, console, WRITE, to, made, done=now_active)


@post("/w/{workspace:uuid}/versions/rollback", status_code=303)
async def rollback(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect:
    """Make the version before the active one active again, with the form's reason."""
    return await move(request, console, workspace, lambda _: "/versions/rollback")


def chosen_version(form: FormMultiDict) -> str:
    """The control-api path activating the version the form names; 400 when it names none."""
    number = field(form, "number")
    if not number.isdigit() or not 1 <= int(number) <= VERSION_MAX:
        raise BadForm("Name the version to activate (a number from the list).")
    return f"/versions/{int(number)}/activate"


@post("/w/{workspace:uuid}/versions/activate", status_code=303)
async def activate(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect:
    """Make the version the form names active, with the form's reason (one form serves the
    list and the diff page: the number is a field, not part of the URL)."""
    return await move(request, console, workspace, chosen_version)


VERSION_PAGES = [versions, version_diff, version_page, rollback, activate]
