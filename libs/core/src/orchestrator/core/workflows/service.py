"""Business rules of workflow definitions: validation and audit. Never commits.

A write checks the step count, unique step names, every ``$ref`` (syntax, and that it
names the run's input or an earlier step's output) and every connector and operation as
the workspace has them now, listing every failing field in one 422.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration.public import (
    FieldErrors,
    Mutation,
    audit_change,
    flush_or_conflict,
    nul_errors,
    raise_if,
)
from orchestrator.core.db.base import utcnow
from orchestrator.core.db.pages import EVERY, Page, PageRequest
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.workflows import repository
from orchestrator.core.workflows.definition import Step, steps_to_json, structure_errors
from orchestrator.core.workflows.known import KnownNames
from orchestrator.core.workflows.models import Workflow


def workflow_view(row: Workflow) -> dict[str, Any]:
    """The audited view of a workflow."""
    return {"steps": row.steps, "version": row.version}


async def _operation_errors(
    session: AsyncSession, connector: str, operation: str, where: str, known: KnownNames
) -> FieldErrors:
    operations = await known.operations(session, connector)
    if operations is None:
        return [{"key": f"{where}/connector", "message": f"no connector called `{connector}`"}]
    if operation not in operations:
        offered = ", ".join(f"`{name}`" for name in sorted(operations)) or "none"
        return [
            {
                "key": f"{where}/operation",
                "message": f"connector `{connector}` has no operation `{operation}`; "
                f"it has: {offered}",
            }
        ]
    return []


async def steps_errors(
    session: AsyncSession, steps: Sequence[Step], known: KnownNames | None = None
) -> FieldErrors:
    """Every failing field of ``steps`` (keys such as ``/steps/1/connector``); connectors
    resolve through ``known`` (default: as the workspace has them now)."""
    known = KnownNames() if known is None else known
    errors = structure_errors(steps)
    for index, step in enumerate(steps):
        where = f"/steps/{index}"
        errors += await _operation_errors(session, step.connector, step.operation, where, known)
        errors += nul_errors({"payload": step.payload}, where)
        if step.compensation is not None:
            connector = step.compensation_connector()
            assert connector is not None
            errors += await _operation_errors(
                session, connector, step.compensation.operation, f"{where}/compensation", known
            )
            errors += nul_errors({"payload": step.compensation.payload}, f"{where}/compensation")
    return errors


async def _checked(session: AsyncSession, steps: Sequence[Step]) -> None:
    """422 listing every failing field of ``steps``."""
    raise_if(await steps_errors(session, steps), "The workflow is not valid.")


async def list_workflows(session: AsyncSession, page: PageRequest = EVERY) -> Page[Workflow]:
    """The workspace's workflows by name: a page of them, or (by default) every one."""
    return await repository.list_workflows(session, page)


async def get_workflow(session: AsyncSession, name: str) -> Workflow:
    """A workflow by name, or 404."""
    row = await repository.by_name(session, name)
    if row is None:
        raise NotFound(f"No workflow called `{name}` in this workspace.")
    return row


async def create_workflow(
    session: AsyncSession, m: Mutation, name: str, steps: Sequence[Step]
) -> Workflow:
    """A new workflow; 422 listing the failing fields, 409 when the name is taken."""
    await _checked(session, steps)
    if await repository.by_name(session, name) is not None:
        raise Conflict(f"A workflow called `{name}` exists; replace it with PUT.")
    row = Workflow(
        id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, steps=steps_to_json(steps), version=1
    )
    session.add(row)
    await flush_or_conflict(session, f"workflow `{name}`")
    await audit_change(session, m, "workflow.create", f"workflow:{name}", None, workflow_view(row))
    return row


async def replace_workflow(
    session: AsyncSession, m: Mutation, name: str, steps: Sequence[Step]
) -> Workflow:
    """Replace a workflow's steps (version +1 when they differ). Runs already started keep
    the definition they started with."""
    await _checked(session, steps)
    row = await repository.by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No workflow called `{name}` in this workspace.")
    new_steps = steps_to_json(steps)
    if row.steps == new_steps:
        return row
    before = workflow_view(row)
    row.steps, row.version, row.updated_at = new_steps, row.version + 1, utcnow()
    await flush_or_conflict(session, f"workflow `{name}`")
    await audit_change(
        session, m, "workflow.update", f"workflow:{name}", before, workflow_view(row)
    )
    return row


async def delete_workflow(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a workflow (runs already started finish on their snapshot)."""
    row = await repository.by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No workflow called `{name}` in this workspace.")
    before = workflow_view(row)
    await session.delete(row)
    await flush_or_conflict(session, f"workflow `{name}`")
    await audit_change(session, m, "workflow.delete", f"workflow:{name}", before, None)
