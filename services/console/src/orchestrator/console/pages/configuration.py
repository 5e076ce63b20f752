"""``/w/{id}/configuration``: a workspace's configuration, listed, viewed, created, edited
and deleted through forms generated from the control-api's own JSON Schemas."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from orchestrator.console import forms
from orchestrator.console.apischema import ApiSchemas
from orchestrator.console.context import Console
from orchestrator.console.errors import ApiProblem, BadForm
from orchestrator.console.kinds import KINDS, Kind
from orchestrator.console.listing import Cursor
from orchestrator.console.pages.submitted import (
    call_with_reason,
    field,
    parse_document,
    posted,
    required_reason,
    send_with_reason,
)
from orchestrator.console.render import page

TypeName = Annotated[str, QueryParameter(name="type", max_length=100)]
BASE = "/w/{workspace:uuid}/configuration"
WRITE = "configuration:write"


def resource_url(workspace: uuid.UUID, kind: Kind, key: str) -> str:
    """The page of one resource."""
    return f"/w/{workspace}/configuration/{kind.slug}/{key}"


def kind_of(slug: str) -> Kind:
    """The kind a URL names (404 for any other)."""
    kind = KINDS.get(slug)
    if kind is None:
        raise BadForm("No such kind of configuration.", 404)
    return kind


def writable_kind(console: Console, slug: str) -> Kind:
    """The kind a URL names (404 for any other), to change: 403 for a role that may not."""
    kind = kind_of(slug)
    console.may(WRITE)
    return kind


WRITABLE = {"kind": Provide(writable_kind, sync_to_thread=False)}
"""A route that changes configuration gets the ``kind`` its URL names from here."""


async def schema_for(console: Console, kind: Kind, creating: bool, type_name: str) -> forms.Schema:
    """The JSON Schema the form is generated from."""
    schemas: ApiSchemas = console.schemas
    document = await schemas.document()
    schema = forms.component(document, kind.create if creating else kind.replace)
    for member, component in kind.members.items():
        schema = forms.with_member(schema, member, forms.component(document, component), member)
    if kind.typed:
        types = await console.control("GET", "/connector-types")
        chosen = next((t for t in types["items"] if t["name"] == type_name), None)
        if chosen is None:
            raise BadForm(f"No connector type {type_name!r}: pick one of the list.", 404)
        schema = forms.with_member(schema, "config", chosen["config_schema"], "config")
        schema = forms.with_member(schema, "secrets", chosen["secret_schema"], "secrets")
        schema["properties"]["type"] = {"type": "string", "enum": [type_name], "default": type_name}
    schema = forms.nullable_first(schema)
    return forms.titled(schema, kind.singular.capitalize(), "name", "type", "provider", "ref")


async def form_page(
    console: Console,
    kind: Kind,
    *,
    key: str | None,
    type_name: str,
    value: dict[str, Any],
    reason: str = "",
    problem: ApiProblem | BadForm | None = None,
) -> Template:
    """The create or edit form, with the API's refusal when there was one."""
    schema = await schema_for(console, kind, key is None, type_name)
    status = 200 if problem is None else (problem.status if problem.status < 500 else 502)
    return await page(
        console,
        "configuration_form.html",
        status_code=status,
        kind=kind,
        key=key,
        type_name=type_name,
        schema=schema,
        value=forms.editable(value, schema) if value else {},
        reason=reason,
        problem=problem,
    )


async def submit(
    request: Request[Any, Any, Any],
    console: Console,
    workspace: uuid.UUID,
    kind: Kind,
    key: str | None,
    type_name: str,
    call: tuple[str, str],
    done: Callable[[Any], tuple[str, str]],
) -> Redirect | Template:
    """Send the form's document and reason as the control-api ``call`` (method, path), then
    the notice and the page ``done`` makes of the API's answer; the form again, with the
    API's refusal and what was typed, when the API says no."""
    form = await posted(request)
    document = parse_document(field(form, "document"))
    try:
        answered = await send_with_reason(console, form, call, workspace=workspace, json=document)
    except (ApiProblem, BadForm) as problem:
        return await form_page(
            console,
            kind,
            key=key,
            type_name=type_name or str(document.get("type", "")),
            value=document,
            reason=field(form, "reason"),
            problem=problem,
        )
    notice, to = done(answered)
    await console.flash("ok", notice)
    return Redirect(to, status_code=303)


@get(BASE)
async def configuration(console: Console, workspace: uuid.UUID) -> Template:
    """Every kind of configuration, the first rows of each."""
    lists = await asyncio.gather(
        *(
            console.control("GET", kind.api, workspace=workspace, params={"limit": 10})
            for kind in KINDS.values()
        )
    )
    quotas = await console.control("GET", "/quotas", workspace=workspace)
    return await page(
        console,
        "configuration.html",
        sections=[(kind, found) for kind, found in zip(KINDS.values(), lists, strict=True)],
        quotas=quotas,
    )


@get(BASE + "/{slug:str}")
async def resources(
    console: Console, workspace: uuid.UUID, slug: str, cursor: Cursor = ""
) -> Template:
    """One kind's resources, a page at a time."""
    kind = kind_of(slug)
    found = await console.control(
        "GET",
        kind.api,
        workspace=workspace,
        params={"cursor": cursor, "limit": console.settings.console.page_size},
    )
    types: list[dict[str, Any]] = []
    if kind.typed:
        types = (await console.control("GET", "/connector-types"))["items"]
    return await page(
        console,
        "configuration_list.html",
        kind=kind,
        items=found["items"],
        next_cursor=found["next_cursor"],
        types=types,
    )


@get(BASE + "/{slug:str}/_new", dependencies=WRITABLE)
async def new_resource(console: Console, kind: Kind, type_name: TypeName = "") -> Template:
    """The form of a new resource."""
    return await form_page(console, kind, key=None, type_name=type_name, value={})


@post(BASE + "/{slug:str}/_new", status_code=303, dependencies=WRITABLE)
async def create_resource(
    request: Request[Any, Any, Any],
    console: Console,
    workspace: uuid.UUID,
    kind: Kind,
    type_name: TypeName = "",
) -> Redirect | Template:
    """Create it; the form again, with the API's refusal, when the API says no."""

    def created(resource: dict[str, Any]) -> tuple[str, str]:
        key = kind.key_of(resource)
        notice = f"Created {kind.singular} {resource.get('name', key)}."
        return notice, resource_url(workspace, kind, key)

    return await submit(
        request, console, workspace, kind, None, type_name, ("POST", kind.api), created
    )


@get(BASE + "/{slug:str}/{key:str}")
async def resource(console: Console, workspace: uuid.UUID, slug: str, key: str) -> Template:
    """One resource as the API holds it (secret values never: they are write-only)."""
    kind = kind_of(slug)
    found = await console.control("GET", f"{kind.api}/{key}", workspace=workspace)
    bindings = None
    if kind.bindings:
        bindings = await console.control(
            "GET",
            f"{kind.api}/{key}/bindings",
            workspace=workspace,
            params={"limit": console.settings.console.page_size},
        )
    return await page(
        console,
        "configuration_view.html",
        kind=kind,
        key=key,
        item=found,
        bindings=bindings,
    )


@get(BASE + "/{slug:str}/{key:str}/edit", dependencies=WRITABLE)
async def edit_resource(console: Console, workspace: uuid.UUID, kind: Kind, key: str) -> Template:
    """The form of an existing resource, filled with what it holds now."""
    found = await console.control("GET", f"{kind.api}/{key}", workspace=workspace)
    return await form_page(
        console, kind, key=key, type_name=str(found.get("type", "")), value=found
    )


@post(BASE + "/{slug:str}/{key:str}/edit", status_code=303, dependencies=WRITABLE)
async def replace_resource(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID, kind: Kind, key: str
) -> Redirect | Template:
    """Replace it with the form's document."""
    saved = f"Saved {kind.singular} {key}.", resource_url(workspace, kind, key)
    return await submit(
        request, console, workspace, kind, key, "", ("PUT", f"{kind.api}/{key}"), lambda _: saved
    )


@post(BASE + "/{slug:str}/{key:str}/delete", status_code=303, dependencies=WRITABLE)
async def delete_resource(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID, kind: Kind, key: str
) -> Redirect:
    """Delete it (the API refuses while something still uses it, and says what)."""
    form = await posted(request)
    try:
        reason = required_reason(form)
        await console.control(
            "DELETE", f"{kind.api}/{key}", workspace=workspace, params={"reason": reason}
        )
    except (ApiProblem, BadForm) as problem:
        await console.flash("error", problem.detail or str(problem))
        return Redirect(resource_url(workspace, kind, key), status_code=303)
    await console.flash("ok", f"Deleted {kind.singular} {key}.")
    return Redirect(f"/w/{workspace}/configuration/{kind.slug}", status_code=303)


def raw_value(form: FormMultiDict) -> str:
    """A secret's value exactly as typed (no trimming: spaces may be part of it)."""
    value = form.get("value")
    return value if isinstance(value, str) else ""


@post(BASE + "/{slug:str}/{key:str}/value", status_code=303)
async def set_secret_value(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID, slug: str, key: str
) -> Redirect:
    """Store a ``db://`` secret's value: written, never shown again. (One route for every
    kind: a literal ``/secret-refs/`` segment would hide ``/{slug}/_new`` from the router.)"""
    kind = kind_of(slug)
    if not kind.write_only_value:
        raise BadForm("No such page.", 404)
    console.may(WRITE)
    form = await posted(request)
    return await call_with_reason(
        console,
        form,
        resource_url(workspace, kind, key),
        ("PUT", f"{kind.api}/{key}/value"),
        workspace=workspace,
        json={"value": raw_value(form)},
        done=f"Stored a new value for {key}.",
    )


CONFIGURATION_PAGES = [
    configuration,
    resources,
    new_resource,
    create_resource,
    resource,
    edit_resource,
    replace_resource,
    delete_resource,
    set_secret_value,
]
