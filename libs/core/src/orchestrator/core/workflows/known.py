"""What a workflow step or a schedule may name: connectors (with their operations) and
workflows, as the workspace has them, unless told otherwise.

A single write checks against the workspace as stored. A bundle import checks against
the workspace as it will be after the import: it sets what the bundle brings (and, when
it prunes, what it deletes) before the checks run; any other name is looked up, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration import public as configuration
from orchestrator.core.connectors.public import OperationType, operations_of
from orchestrator.core.workflows import repository as workflows

Operations = Mapping[str, OperationType]


@dataclass
class KnownNames:
    """Connectors' operations (``None``: no such connector) and whether each workflow
    exists, by name; filled from the workspace on first use of a name."""

    connectors: dict[str, Operations | None] = field(default_factory=dict)
    workflows: dict[str, bool] = field(default_factory=dict)

    async def operations(self, session: AsyncSession, connector: str) -> Operations | None:
        """The operations connector ``connector`` offers, or ``None`` when there is none."""
        if connector not in self.connectors:
            found = await configuration.connector_by_name(session, connector)
            self.connectors[connector] = (
                None if found is None else operations_of(found[0].type, found[0].config)
            )
        return self.connectors[connector]

    async def has_workflow(self, session: AsyncSession, name: str) -> bool:
        """Whether workflow ``name`` exists."""
        if name not in self.workflows:
            self.workflows[name] = await workflows.WORKFLOWS.get(session, name) is not None
        return self.workflows[name]
