"""Drafts: several configuration changes staged together and activated as one version
(ADR 0078).

A draft is a whole configuration in a bundle's shape, copied from the active version (or
an earlier one) when opened; edits put or remove its items by name and check only their
shape, so the changes may be staged in any order. What activating would do is the diff
from the active version and a dry run of the import; activating applies the draft through
the bundle importer (pruning what it lacks), as one new version, under a compare-and-set
on the version the draft was opened from, and deletes the draft.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, get_args, get_origin

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.change import record_change
from orchestrator.core.bundles.importing import import_bundle
from orchestrator.core.bundles.model import Bundle
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.configuration.validation import normalise_spec, nul_errors, raise_if
from orchestrator.core.errors import Conflict, NotFound, Problem, ValidationFailed
from orchestrator.core.models import Workspace
from orchestrator.core.secrets.scope import RefScope
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.versions import repository, service
from orchestrator.core.versions.diff import ResourceChange, diff
from orchestrator.core.versions.models import WorkspaceDraft

MAX_DRAFTS = 20
"""Open drafts a workspace may hold: each is a whole configuration."""
MAX_CONTENT_BYTES = 8 * 1024 * 1024
"""The largest draft, encoded: items are added one request at a time, each under the
request size limit, so the draft itself needs a bound."""


def _items() -> dict[str, type[msgspec.Struct]]:
    """Each bundle member that lists named items, and its item's type."""
    items: dict[str, type[msgspec.Struct]] = {}
    for field in msgspec.structs.fields(Bundle):
        for listed in (field.type, *get_args(field.type)):
            if get_origin(listed) is list:
                (items[field.name],) = get_args(listed)
    return items


ITEMS = _items()
"""The bundle members whose items a draft edits one by one, by name: ``policies``,
``connectors``, and the rest of a bundle's lists."""


@dataclass(frozen=True, slots=True)
class Checks:
    """Where the import's own checks come from: the request's network and secret-ref
    policies (``None``: the process environment's)."""

    network: NetworkPolicy | None = None
    refs: RefScope | None = None


def _invalid(what: str, exc: msgspec.ValidationError) -> ValidationFailed:
    return ValidationFailed(f"{what} is not valid: {exc}", errors=[{"message": str(exc)}])


def as_bundle(content: dict[str, Any], workspace_id: uuid.UUID) -> Bundle:
    """A draft's content as the workspace's own bundle; 422 when it is not one."""
    try:
        return service.own_bundle(content, workspace_id)
    except msgspec.ValidationError as exc:
        raise _invalid("The draft", exc) from exc


def as_item(member: str, name: str, item: dict[str, Any]) -> dict[str, Any]:
    """One item of ``member`` named ``name``, checked for shape; 422 when it is not one, or
    names another item."""
    if item.get("name", name) != name:
        raise ValidationFailed(
            f"The item is named `{item['name']}`, not `{name}` as the path says.",
            errors=[{"key": "name", "message": "differs from the name in the path"}],
        )
    try:
        checked = msgspec.convert({**item, "name": name}, ITEMS[member])
    except msgspec.ValidationError as exc:
        raise _invalid(f"The {member} item", exc) from exc
    built: dict[str, Any] = msgspec.to_builtins(checked, order="deterministic")
    return _policy(built) if member == "policies" else built


def _policy(item: dict[str, Any]) -> dict[str, Any]:
    """A policy item with its spec complete, as the write stores it (defaults filled in),
    so the diff names only what the operator changed; 422 when the spec is not one."""
    spec, errors = normalise_spec(item["spec"], "/spec")
    if spec is None:
        raise ValidationFailed("The policy's spec is not valid.", errors=errors)
    return {**item, "spec": spec}


async def find(session: AsyncSession, draft_id: uuid.UUID, *, lock: bool = False) -> WorkspaceDraft:
    """One draft of the workspace; 404 when it has none by that id."""
    found = await repository.draft(session, draft_id, lock=lock)
    if found is None:
        raise NotFound("The workspace has no such draft.")
    return found


async def open_draft(
    session: AsyncSession,
    change: Mutation,
    workspace: Workspace,
    title: str,
    source: int | None = None,
) -> WorkspaceDraft:
    """A new draft holding version ``source`` (default: the configuration as it is);
    409 when the workspace already has ``MAX_DRAFTS``."""
    if await repository.count_drafts(session) >= MAX_DRAFTS:
        raise Conflict(f"The workspace already has {MAX_DRAFTS} drafts; activate or discard one.")
    head = await repository.head(session)
    if source is None:
        content = await service.snapshot(session, workspace)
    else:
        content = (await service.version(session, source)).snapshot
    draft = WorkspaceDraft(
        tenant_id=workspace.id,
        title=title,
        base=None if head is None else head.active,
        content=content,
        created_by=change.actor,
    )
    await repository.add_draft(session, draft)
    after = {"title": title, "base": draft.base, "source": source}
    await record_change(session, change, "draft.open", f"draft:{draft.id}", None, after)
    return draft


async def _save(
    session: AsyncSession, change: Mutation, draft: WorkspaceDraft, content: dict[str, Any]
) -> None:
    """Store the draft's new content, audited with the members that changed; 422 when
    PostgreSQL could not store it (U+0000) or it outgrows ``MAX_CONTENT_BYTES``."""
    raise_if(nul_errors(content, ""), "The draft cannot hold U+0000.")
    if len(msgspec.json.encode(content)) > MAX_CONTENT_BYTES:
        raise ValidationFailed(f"A draft holds at most {MAX_CONTENT_BYTES} bytes of JSON.")
    members = sorted(
        k for k in content.keys() | draft.content.keys() if content.get(k) != draft.content.get(k)
    )
    if not members:
        return
    before = {k: draft.content.get(k) for k in members}
    after = {k: content.get(k) for k in members}
    await repository.set_content(session, draft, content)
    await record_change(session, change, "draft.edit", f"draft:{draft.id}", before, after)


async def replace_content(
    session: AsyncSession, change: Mutation, draft_id: uuid.UUID, bundle: Bundle
) -> WorkspaceDraft:
    """Replace the whole configuration the draft holds (its ``tenant`` keeps only quotas)."""
    draft = await find(session, draft_id, lock=True)
    content: dict[str, Any] = msgspec.to_builtins(bundle, order="deterministic")
    content["tenant"] = {"quotas": content["tenant"]["quotas"]}
    content["policies"] = [_policy(item) for item in content["policies"]]
    await _save(session, change, draft, content)
    return draft


async def put_item(
    session: AsyncSession,
    change: Mutation,
    draft_id: uuid.UUID,
    member: str,
    name: str,
    item: dict[str, Any] | None,
) -> WorkspaceDraft:
    """Put the draft's ``member`` item ``name`` (``None``: remove it; 404 when absent)."""
    draft = await find(session, draft_id, lock=True)
    items = [i for i in draft.content.get(member) or [] if i.get("name") != name]
    if item is not None:
        items.append(as_item(member, name, item))
    elif len(items) == len(draft.content.get(member) or []):
        raise NotFound(f"The draft has no {member} item `{name}`.")
    items.sort(key=lambda i: str(i.get("name")))
    await _save(session, change, draft, {**draft.content, member: items})
    return draft


async def compare(
    session: AsyncSession, workspace: Workspace, draft: WorkspaceDraft
) -> list[ResourceChange]:
    """What activating the draft would change in the configuration as it is now."""
    return diff(await service.snapshot(session, workspace), draft.content)


async def check(
    session: AsyncSession, change: Mutation, draft: WorkspaceDraft, checks: Checks
) -> Problem | None:
    """Why activating the draft now would be refused (the import's 422 or 409), if it
    would: a dry run of its import, in a savepoint, so that a failed statement of the dry
    run does not abort the request's transaction."""
    try:
        async with session.begin_nested():
            await _import(session, change, draft, checks, dry_run=True)
    except Problem as problem:
        return problem
    return None


async def _import(
    session: AsyncSession,
    change: Mutation,
    draft: WorkspaceDraft,
    checks: Checks,
    *,
    dry_run: bool,
) -> None:
    bundle = as_bundle(draft.content, draft.tenant_id)
    await import_bundle(
        session,
        change,
        bundle,
        dry_run=dry_run,
        prune=True,
        network=checks.network,
        refs=checks.refs,
    )


async def activate(
    session: AsyncSession,
    change: Mutation,
    workspace: Workspace,
    draft_id: uuid.UUID,
    *,
    expected: int | None,
    checks: Checks,
    request_id: str | None,
) -> int | None:
    """Apply the draft as one new version and delete it; the new version's number (``None``
    when it changes nothing). 409 unless the active version is ``expected`` (default: the
    one the draft was opened from), or when the import refuses; nothing is written then."""
    await repository.lock_workspace(session, workspace.id)
    draft = await find(session, draft_id, lock=True)
    head = await repository.head(session)
    active = None if head is None else head.active
    wanted = draft.base if expected is None else expected
    if active != wanted:
        raise Conflict(
            f"The active version is {active}, not {wanted} as the draft expects: "
            "review its diff, then activate it expecting the active version.",
            active=active,
        )
    await _import(session, change, draft, checks, dry_run=False)
    number = await service.record(session, workspace, change, request_id)
    await repository.drop_draft(session, draft)
    after = {"version": number}
    await record_change(session, change, "draft.activate", f"draft:{draft.id}", None, after)
    return number


async def discard(session: AsyncSession, change: Mutation, draft_id: uuid.UUID) -> None:
    """Delete the draft, audited."""
    draft = await find(session, draft_id, lock=True)
    await repository.drop_draft(session, draft)
    before = {"title": draft.title, "base": draft.base}
    await record_change(session, change, "draft.discard", f"draft:{draft.id}", before, None)
