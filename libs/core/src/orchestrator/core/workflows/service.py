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

from orchestrator.core.audit.change import AuditedChanges
from orchestrator.core.configuration.public import FieldErrors, Mutation, nul_errors, raise_if
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


WORKFLOW = AuditedChanges(
    repository.WORKFLOWS, noun="workflow", kind="workflow", view=workflow_view
)


list_workflows = repository.WORKFLOWS.list
"""The workspace's workflows by name: a page of them, or (by default) every one."""
get_workflow = WORKFLOW.get
"""A workflow by name, or 404."""


async def create_workflow(
    session: AsyncSession, m: Mutation, name: str, steps: Sequence[Step]
) -> Workflow:
    """A new workflow; 422 listing the failing fields, 409 when the name is taken."""
    await _checked(session, steps)
    await WORKFLOW.refuse_taken(session, name)
    row = Workflow(
        id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, steps=steps_to_json(steps), version=1
    )
    return await WORKFLOW.create(session, m, name, row)


async def replace_workflow(
    session: AsyncSession, m: Mutation, name: str, steps: Sequence[Step]
) -> Workflow:
    """Replace a workflow's steps (version +1 when they differ). Runs already started keep
    the definition they started with."""
    await _checked(session, steps)
    row = await WORKFLOW.lock(session, name)
    await WORKFLOW.update(session, m, name, row, {"steps": steps_to_json(steps)})
    return row


async def delete_workflow(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a workflow (runs already started finish on their snapshot)."""
    await WORKFLOW.delete(session, m, name, await WORKFLOW.lock(session, name))
