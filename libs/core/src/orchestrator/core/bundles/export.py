"""Export a workspace's configuration as one bundle: every kind, whole and by name.

Secret refs go without their values, and a config with its active version only, so an
export imported back (``bundle_import``) changes nothing. A webhook source carries its
id (its ingress identity) and its bindings, in an order of their content alone, so two
exports of the same configuration are equal however the bindings were made.
"""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.bundles.model import (
    Bundle,
    BundleConfig,
    BundleConnector,
    BundlePolicy,
    BundleSchedule,
    BundleSecretRef,
    BundleTenant,
    BundleWebhookBinding,
    BundleWebhookSource,
    BundleWorkflow,
)
from orchestrator.core.configuration import repository, views
from orchestrator.core.db.pages import EVERY
from orchestrator.core.models import Workspace
from orchestrator.core.schedules import service as schedules
from orchestrator.core.webhooks import repository as webhooks
from orchestrator.core.webhooks.models import WebhookBinding, WebhookSource
from orchestrator.core.webhooks.service import binding_input, source_input
from orchestrator.core.workflows import service as workflows


async def export_bundle(session: AsyncSession, workspace: Workspace) -> Bundle:
    """The workspace's configuration (secret refs without values), every list by name and
    whole: the repositories' lists, unpaged (``EVERY``), not the API's pages."""
    quota = views.quota_of(await repository.quota_row(session))
    return Bundle(
        tenant=BundleTenant(
            id=workspace.id,
            name=workspace.name,
            environment=workspace.environment,
            quotas=views.quota_content(quota),
        ),
        policies=[
            BundlePolicy(name=p.name, spec=p.spec)
            for p in (await repository.list_policies(session)).items
        ],
        secret_refs=[
            BundleSecretRef(name=r.name, ref=r.ref)
            for r in (await repository.list_secret_refs(session)).items
        ],
        connectors=[
            BundleConnector(
                name=c.name,
                type=c.type,
                config=c.config,
                policy=policy,
                secrets=c.secrets,
                enabled=c.enabled,
            )
            for c, policy in (await repository.list_connectors(session)).items
        ],
        configs=[
            BundleConfig(name=config.name, document=version.document)
            for config, version in await repository.active_configs(session)
        ],
        workflows=[
            BundleWorkflow(name=w.name, steps=w.steps)
            for w in (await workflows.list_workflows(session)).items
        ],
        schedules=[
            BundleSchedule(name=s.name, **msgspec.structs.asdict(schedules.content_of(s)))
            for s in (await schedules.list_schedules(session)).items
        ],
        webhook_sources=await _webhook_sources(session),
    )


async def _webhook_sources(session: AsyncSession) -> list[BundleWebhookSource]:
    """Every webhook source by name, each with its bindings in content order."""
    sources = (await webhooks.SOURCES.list(session, EVERY)).items
    bindings = await webhooks.bindings_by_source(session)
    return [bundled_source(source, bindings.get(source.id, [])) for source in sources]


def bundled_source(row: WebhookSource, bindings: list[WebhookBinding]) -> BundleWebhookSource:
    """A stored source with its bindings as a bundle item."""
    items = [BundleWebhookBinding(**msgspec.structs.asdict(binding_input(b))) for b in bindings]
    return BundleWebhookSource(
        id=row.id,
        **msgspec.structs.asdict(source_input(row)),
        bindings=sorted(items, key=binding_order),
    )


def binding_order(binding: BundleWebhookBinding) -> bytes:
    """A binding's place among its source's: by content, bindings having nothing else."""
    return msgspec.json.encode(binding, order="deterministic")
