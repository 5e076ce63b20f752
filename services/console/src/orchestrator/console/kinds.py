"""The kinds of configuration the console edits: where each lives in the control-api, which
OpenAPI components describe its create and replace bodies, and how it is keyed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Kind:
    """One kind of configuration resource."""

    slug: str
    title: str
    singular: str
    api: str
    create: str
    replace: str
    key: str = "name"
    columns: tuple[str, ...] = ("name",)
    members: dict[str, str] = field(default_factory=dict)
    """Properties the API types loosely (an object) but publishes a schema for elsewhere:
    member → the component that describes it."""
    typed: bool = False
    """Its schema depends on a type of ``GET /connector-types`` (connectors)."""
    write_only_value: bool = False
    """It holds a value that is set, never shown (secret refs stored here)."""
    bindings: bool = False
    """Each one has bindings under ``{api}/{key}/bindings`` (webhook sources)."""

    def key_of(self, resource: dict[str, Any]) -> str:
        """The URL key of one resource."""
        return str(resource[self.key])


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            slug="connectors",
            title="Connectors",
            singular="connector",
            api="/connectors",
            create="ConnectorCreate",
            replace="ConnectorReplace",
            columns=("name", "type", "policy", "enabled"),
            typed=True,
        ),
        Kind(
            slug="policies",
            title="Policies",
            singular="policy",
            api="/policies",
            create="PolicyCreate",
            replace="PolicyReplace",
            members={"spec": "PolicySpec"},
        ),
        Kind(
            slug="secret-refs",
            title="Secret refs",
            singular="secret ref",
            api="/secret-refs",
            create="SecretRefCreate",
            replace="SecretRefReplace",
            columns=("name", "ref"),
            write_only_value=True,
        ),
        Kind(
            slug="webhook-sources",
            title="Webhook sources",
            singular="webhook source",
            api="/webhooks/sources",
            create="WebhookSourceIn",
            replace="WebhookSourceIn",
            key="id",
            columns=("name", "provider"),
            bindings=True,
        ),
        Kind(
            slug="workflows",
            title="Workflows",
            singular="workflow",
            api="/workflows",
            create="WorkflowCreate",
            replace="WorkflowReplace",
        ),
        Kind(
            slug="schedules",
            title="Schedules",
            singular="schedule",
            api="/schedules",
            create="ScheduleCreate",
            replace="ScheduleReplace",
            columns=("name", "cron", "timezone"),
        ),
    )
}

QUOTAS = Kind(
    slug="quotas",
    title="Quotas",
    singular="quotas",
    api="/quotas",
    create="QuotaPut",
    replace="QuotaPut",
)
"""The workspace's limits: one document, set whole, never created or deleted."""

BINDINGS = Kind(
    slug="webhook-sources",
    title="Webhook sources",
    singular="binding",
    api="/bindings",
    create="WebhookBindingIn",
    replace="WebhookBindingIn",
)
"""A webhook source's bindings: created and deleted on the source's page (never edited:
the API replaces a binding by a new one)."""
