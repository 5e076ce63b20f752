"""A webhook source's bindings, on the source's page: created through a form generated from
the control-api's ``WebhookBindingIn`` schema, deleted with a reason (the API has no edit:
a binding is replaced by a new one)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from orchestrator.console.context import Console
from orchestrator.console.errors import BadForm
from orchestrator.console.kinds import BINDINGS, Kind
from orchestrator.console.pages.configuration import BASE, form_page, kind_of, submit
from orchestrator.console.pages.submitted import act, posted, required_reason

BOUND = BASE + "/{slug:str}/{key:str}/bindings"


def bound_kind(slug: str) -> Kind:
    """The kind a URL names, if its resources have bindings (404 otherwise)."""
    kind = kind_of(slug)
    if not kind.bindings:
        raise BadForm("No such page.", 404)
    return kind


def _source(workspace: uuid.UUID, kind: Kind, key: str) -> str:
    return f"/w/{workspace}/configuration/{kind.slug}/{key}"


@get(BOUND + "/_new")
async def new_binding(console: Console, workspace: uuid.UUID, slug: str, key: str) -> Template:
    """The form of a new binding of one source."""
    bound_kind(slug)
    console.may("configuration:write")
    return await form_page(console, workspace, BINDINGS, key=None, type_name="", value={})


@post(BOUND + "/_new", status_code=303)
async def create_binding(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID, slug: str, key: str
) -> Redirect | Template:
    """Create it, then back to the source's page."""
    kind = bound_kind(slug)
    console.may("configuration:write")

    async def create(document: dict[str, Any], reason: str) -> str:
        created = await console.control(
            "POST",
            f"{kind.api}/{key}/bindings",
            workspace=workspace,
            params={"reason": reason},
            json=document,
        )
        await console.flash("ok", f"Created binding {created['id']} ({created['action']}).")
        return _source(workspace, kind, key)

    return await submit(request, console, workspace, BINDINGS, None, "", create)


@post(BOUND + "/{binding_id:uuid}/delete", status_code=303)
async def delete_binding(
    request: Request[Any, Any, Any],
    console: Console,
    workspace: uuid.UUID,
    slug: str,
    key: str,
    binding_id: uuid.UUID,
) -> Redirect:
    """Delete one binding: the source's events no longer start what it named."""
    kind = bound_kind(slug)
    console.may("configuration:write")
    form = await posted(request)

    async def delete() -> str:
        await console.control(
            "DELETE",
            f"{kind.api}/{key}/bindings/{binding_id}",
            workspace=workspace,
            params={"reason": required_reason(form)},
        )
        return f"Deleted binding {binding_id}."

    return await act(console, _source(workspace, kind, key), delete)


BINDING_PAGES = [new_binding, create_binding, delete_binding]
