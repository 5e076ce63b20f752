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


CONNECTOR_COLUMNS = ("name", "type", "policy", "enabled")


def conventional(slug: str, singular: str, **rest: Any) -> Kind:
    """A kind named as the control-api names most: served at ``/{slug}``, its title the slug's
    words, its bodies ``{Singular}Create`` and ``{Singular}Replace`` (``rest`` as ``Kind``)."""
    title = slug.replace("-", " ").capitalize()
    stem = singular.title().replace(" ", "")
    return Kind(slug, title, singular, f"/{slug}", f"{stem}Create", f"{stem}Replace", **rest)


def one_body(slug: str, title: str, singular: str, api: str, body: str, **rest: Any) -> Kind:
    """A kind whose one component ``body`` serves to create and to replace."""
    return Kind(slug, title, singular, api, body, body, **rest)


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        conventional("connectors", "connector", columns=CONNECTOR_COLUMNS, typed=True),
        conventional("policies", "policy", members={"spec": "PolicySpec"}),
        conventional("secret-refs", "secret ref", columns=("name", "ref"), write_only_value=True),
        one_body(
            "webhook-sources",
            "Webhook sources",
            "webhook source",
            "/webhooks/sources",
            "WebhookSourceIn",
            key="id",
            columns=("name", "provider"),
            bindings=True,
        ),
        conventional("workflows", "workflow"),
        conventional("schedules", "schedule", columns=("name", "cron", "timezone")),
    )
}

QUOTAS = one_body("quotas", "Quotas", "quotas", "/quotas", "QuotaPut")
"""The workspace's limits: one document, set whole, never created or deleted."""

BINDINGS = one_body(
    "webhook-sources", "Webhook sources", "binding", "/bindings", "WebhookBindingIn"
)
"""A webhook source's bindings: created and deleted on the source's page (never edited:
the API replaces a binding by a new one)."""
