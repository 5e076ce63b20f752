"""Plan a bundle import: compare each checked item with what is stored, and say what
would change (created or updated, and which fields) or that it is as stored.

Equal items plan no change, so re-importing a bundle, or an export, is a no-op.
"""

from __future__ import annotations

from dataclasses import asdict

from orchestrator.core.bundles.check import Checked
from orchestrator.core.bundles.model import (
    Bundle,
    BundleChange,
    BundleConnector,
    Kind,
)
from orchestrator.core.bundles.stored import Stored
from orchestrator.core.configuration import views
from orchestrator.core.configuration.connectors import ConnectorInput
from orchestrator.core.schedules import service as schedules
from orchestrator.core.schedules.models import Schedule
from orchestrator.core.workflows.definition import steps_to_json
from orchestrator.core.workflows.models import Workflow


def _change(
    kind: Kind, name: str, before: views.View | None, after: views.View
) -> BundleChange | None:
    if before == after:
        return None
    return BundleChange(
        kind=kind,
        name=name,
        action="create" if before is None else "update",
        fields=views.changed_fields(before, after),
    )


def connector_input(connector: BundleConnector) -> ConnectorInput:
    """A bundle connector as the connector writes take it."""
    return ConnectorInput(
        type=connector.type,
        config=connector.config,
        policy=connector.policy,
        secrets=connector.secrets,
        enabled=connector.enabled,
    )


def plan_changes(bundle: Bundle, checked: Checked, stored: Stored) -> list[BundleChange | None]:
    """One entry per bundle item: what would change, or ``None`` when it is as stored."""
    planned = [
        *(
            _change(
                "policy",
                name,
                views.policy_content(stored.policies[name].spec)
                if name in stored.policies
                else None,
                views.policy_content(spec),
            )
            for name, spec in checked.specs.items()
        ),
        *(
            _change(
                "secret_ref",
                r.name,
                views.secret_ref_content(stored.refs[r.name].ref)
                if r.name in stored.refs
                else None,
                views.secret_ref_content(r.ref),
            )
            for r in bundle.secret_refs
        ),
        *(
            _change(
                "connector",
                c.name,
                views.connector_of(*stored.connectors[c.name])
                if c.name in stored.connectors
                else None,
                connector_input(c).content(),
            )
            for c in bundle.connectors
        ),
        *(
            _change(
                "config",
                c.name,
                views.config_content(stored.configs[c.name][1].document)
                if c.name in stored.configs
                else None,
                views.config_content(c.document),
            )
            for c in bundle.configs
        ),
        *(
            _change(
                "workflow",
                name,
                workflow_content(stored.workflows[name]) if name in stored.workflows else None,
                {"steps": steps_to_json(steps)},
            )
            for name, steps in checked.steps.items()
        ),
        *(
            _change(
                "schedule",
                name,
                schedule_content(stored.schedules[name]) if name in stored.schedules else None,
                asdict(data),
            )
            for name, data in checked.schedules.items()
        ),
    ]
    if checked.quota is not None:
        # No row means unlimited: an export of a workspace that never set a quota says so,
        # and importing it back must not create a row.
        current = views.quota_content(views.quota_of(stored.quota))
        wanted = views.quota_content(checked.quota)
        before = None if stored.quota is None else current
        planned.append(None if current == wanted else _change("quota", "quota", before, wanted))
    return planned


def workflow_content(row: Workflow) -> views.View:
    """What a workflow write sets."""
    return {"steps": row.steps}


def schedule_content(row: Schedule) -> views.View:
    """What a schedule write sets."""
    return asdict(schedules.content_of(row))
