"""A webhook source's bindings, on the source's page: created through a form generated from
the control-api's ``WebhookBindingIn`` schema, deleted with a reason (the API has no edit:
a binding is replaced by a new one)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template

from orchestrator.console.context import Console
from orchestrator.console.errors import BadForm
from orchestrator.console.kinds import BINDINGS, Kind
from orchestrator.console.pages.configuration import (
    BASE,
    WRITE,
    form_page,
    kind_of,
    resource_url,
    submit,
)
from orchestrator.console.pages.submitted import call_with_reason, posted

BOUND = BASE + "/{slug:str}/{key:str}/bindings"


def bound_kind(console: Console, slug: str) -> Kind:
    """The kind a URL names, if its resources have bindings (404 otherwise), to change their
    bindings: 403 for a role that may not."""
    kind = kind_of(slug)
    if not kind.bindings:
        raise BadForm("No such page.", 404)
    console.may(WRITE)
    return kind


BOUND_KIND = {"kind": Provide(bound_kind, sync_to_thread=False)}
"""A route that changes bindings gets the ``kind`` of their source from here."""


@get(BOUND + "/_new")
async def new_binding(console: Console, slug: str) -> Template:
    """The form of a new binding of one source."""
    bound_kind(console, slug)
    return await form_page(console, BINDINGS, key=None, type_name="", value={})


@post(BOUND + "/_new", status_code=303, dependencies=BOUND_KIND)
async def create_binding(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID, kind: Kind, key: str
) -> Redirect | Template:
    """Create it, then back to the source's page."""

    def created(binding: dict[str, Any]) -> tuple[str, str]:
        notice = f"Created binding {binding['id']} ({binding['action']})."
        return notice, resource_url(workspace, kind, key)

    return await submit(
        request,
        console,
        workspace,
        BINDINGS,
        None,
        "",
        ("POST", f"{kind.api}/{key}/bindings"),
        created,
    )


@post(BOUND + "/{binding_id:uuid}/delete", status_code=303, dependencies=BOUND_KIND)
async def delete_binding(
    request: Request[Any, Any, Any],
    console: Console,
    workspace: uuid.UUID,
    kind: Kind,
    key: str,
    binding_id: uuid.UUID,
) -> Redirect:
    """Delete one binding: the source's events no longer start what it named."""
    return await call_with_reason(
        console,
        await posted(request),
        resource_url(workspace, kind, key),
        ("DELETE", f"{kind.api}/{key}/bindings/{binding_id}"),
        workspace=workspace,
        done=f"Deleted binding {binding_id}.",
    )


BINDING_PAGES = [new_binding, create_binding, delete_binding]
