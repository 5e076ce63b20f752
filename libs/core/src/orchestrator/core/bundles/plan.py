"""Plan a bundle import: compare each checked item with what is stored, and say what
would change (created or updated, and which fields) or that it is as stored.

Equal items plan no change, so re-importing a bundle, or an export, is a no-op. A webhook
source's bindings are matched by content: each stored one the bundle lacks is deleted,
each it brings that is not stored is created.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Literal, TypeVar

import msgspec

from orchestrator.core.bundles.check import Checked
from orchestrator.core.bundles.model import Bundle, BundleChange, Kind, item_input
from orchestrator.core.bundles.stored import Stored
from orchestrator.core.configuration import views
from orchestrator.core.configuration.connectors import ConnectorInput
from orchestrator.core.schedules import service as schedules
from orchestrator.core.schedules.models import Schedule
from orchestrator.core.webhooks.models import WebhookBinding
from orchestrator.core.webhooks.service import (
    BindingInput,
    SourceInput,
    binding_input,
    source_input,
)
from orchestrator.core.workflows.definition import steps_to_json
from orchestrator.core.workflows.models import Workflow

_Stored = TypeVar("_Stored")


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


def _changes(
    kind: Kind,
    stored: Mapping[str, _Stored],
    wanted: Iterable[tuple[str, views.View]],
    content: Callable[[_Stored], views.View],
) -> Iterator[BundleChange | None]:
    """Each wanted item's change from its stored row (``content`` of it), if any."""
    for name, after in wanted:
        yield _change(kind, name, content(stored[name]) if name in stored else None, after)


def plan_changes(bundle: Bundle, checked: Checked, stored: Stored) -> list[BundleChange | None]:
    """One entry per bundle item: what would change, or ``None`` when it is as stored."""
    planned = [
        *_changes(
            "policy",
            stored.policies,
            ((name, views.policy_content(spec)) for name, spec in checked.specs.items()),
            lambda row: views.policy_content(row.spec),
        ),
        *_changes(
            "secret_ref",
            stored.refs,
            ((r.name, views.secret_ref_content(r.ref)) for r in bundle.secret_refs),
            lambda row: views.secret_ref_content(row.ref),
        ),
        *_changes(
            "connector",
            stored.connectors,
            ((c.name, item_input(c, ConnectorInput).content()) for c in bundle.connectors),
            lambda pair: views.connector_of(*pair),
        ),
        *_changes(
            "config",
            stored.configs,
            ((c.name, views.config_content(c.document)) for c in bundle.configs),
            lambda pair: views.config_content(pair[1].document),
        ),
        *_changes(
            "workflow",
            stored.workflows,
            ((name, {"steps": steps_to_json(steps)}) for name, steps in checked.steps.items()),
            workflow_content,
        ),
        *_changes(
            "schedule",
            stored.schedules,
            ((name, msgspec.structs.asdict(data)) for name, data in checked.schedules.items()),
            schedule_content,
        ),
        *_changes(
            "webhook_source",
            stored.sources,
            ((name, source_content(s.data)) for name, s in checked.sources.items()),
            lambda row: source_content(source_input(row)),
        ),
        *_binding_changes(checked, stored),
    ]
    if checked.quota is not None:
        # No row means unlimited: an export of a workspace that never set a quota says so,
        # and importing it back must not create a row.
        current = views.quota_content(views.quota_of(stored.quota))
        wanted = views.quota_content(checked.quota)
        before = None if stored.quota is None else current
        planned.append(None if current == wanted else _change("quota", "quota", before, wanted))
    return planned


def _binding_changes(checked: Checked, stored: Stored) -> Iterator[BundleChange | None]:
    """Each binding of the bundle's sources: created, deleted, or (``None``) as stored."""
    for name, source in checked.sources.items():
        stale, new = binding_changes(stored.bindings.get(name, []), source.bindings)
        yield from [None] * (len(source.bindings) - len(new))
        for row in stale:
            yield binding_change(name, "delete", binding_input(row))
        for data in new:
            yield binding_change(name, "create", data)


def binding_change(
    source: str, action: Literal["create", "delete"], data: BindingInput
) -> BundleChange:
    """A binding of ``source`` created or deleted, named by its source (it has no name)."""
    fields = views.changed_fields(None, msgspec.structs.asdict(data))
    return BundleChange(kind="webhook_binding", name=source, action=action, fields=fields)


def binding_changes(
    stored: list[WebhookBinding], wanted: list[BindingInput]
) -> tuple[list[WebhookBinding], list[BindingInput]]:
    """A source's stored bindings to delete and wanted ones to create: matched by content
    (a binding has nothing else), each stored one standing for one equal wanted one."""
    new = list(wanted)
    stale: list[WebhookBinding] = []
    for row in stored:
        current = binding_input(row)
        if current in new:
            new.remove(current)
        else:
            stale.append(row)
    return stale, new


def source_content(data: SourceInput) -> views.View:
    """What a webhook source write sets, less the name it is found by."""
    return {key: value for key, value in msgspec.structs.asdict(data).items() if key != "name"}


def workflow_content(row: Workflow) -> views.View:
    """What a workflow write sets."""
    return {"steps": row.steps}


def schedule_content(row: Schedule) -> views.View:
    """What a schedule write sets."""
    return msgspec.structs.asdict(schedules.content_of(row))
