"""The dev stack's demo workspace: what ``make run`` puts in it (a connector to the
control-api's own public endpoints, one to the demo upstream with a policy that gives up
quickly, and a Standard Webhooks source whose deliveries start a job on it), and the file
a second shell sources for its credentials and URLs."""

from __future__ import annotations

import shlex
import uuid
from pathlib import Path

from orchestrator.cli.dev_secrets import WEBHOOK_SECRET_VARIABLE, webhook_secret
from orchestrator.cli.devstack import DEMO_FILE, write_private
from orchestrator.core.bundles.importing import import_bundle
from orchestrator.core.bundles.model import (
    Bundle,
    BundleConnector,
    BundlePolicy,
    BundleSecretRef,
    BundleWebhookBinding,
    BundleWebhookSource,
)
from orchestrator.core.bundles.stored import read_stored
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.webhooks.sources import ingress_path

DEMO_CONNECTOR, UPSTREAM_CONNECTOR, DEMO_SOURCE = "demo", "upstream", "demo"
CREDENTIALS_FILE = DEMO_FILE
QUICK = {"retry": {"max_attempts": 3, "base_delay_s": 0.2, "max_delay_s": 1.0}}
"""Three attempts close together: a job on ``/fail`` reaches the DLQ within seconds."""


def http_connector(
    name: str, base_url: str, operations: dict[str, str], policy: str | None = None
) -> BundleConnector:
    """An ``http`` connector whose operations are ``"METHOD /path"`` by name."""
    return BundleConnector(
        name=name,
        type="http",
        config={
            "base_url": base_url,
            "operations": {
                operation: dict(zip(("method", "path"), route.split(), strict=True))
                for operation, route in operations.items()
            },
        },
        policy=policy,
    )


def demo_bundle(control_url: str, upstream_url: str) -> Bundle:
    """What the demo workspace holds from the start."""
    return Bundle(
        policies=[BundlePolicy(name="quick", spec=QUICK)],
        secret_refs=[BundleSecretRef(name="demo-webhook", ref=f"env://{WEBHOOK_SECRET_VARIABLE}")],
        connectors=[
            http_connector(
                DEMO_CONNECTOR,
                control_url,
                {"jwks": "GET /.well-known/jwks.json", "health": "GET /health"},
            ),
            http_connector(
                UPSTREAM_CONNECTOR,
                upstream_url,
                {"hello": "GET /hello", "echo": "POST /echo", "fail": "GET /fail"},
                policy="quick",
            ),
        ],
        webhook_sources=[
            BundleWebhookSource(
                name=DEMO_SOURCE,
                provider="standard_webhooks",
                secret_refs=["demo-webhook"],
                bindings=[
                    BundleWebhookBinding(
                        action="job",
                        connector=UPSTREAM_CONNECTOR,
                        operation="echo",
                        payload_mapping={"event": "/data"},
                    )
                ],
            )
        ],
    )


async def seed(
    settings: CoreSettings, tenant_id: uuid.UUID, control_url: str, upstream_url: str
) -> str:
    """Import the demo bundle into the demo workspace (what is already there is kept);
    the demo source's ingress path."""
    engine = create_engine(settings.db)
    try:
        async with session_factory(engine)() as session, session.begin():
            await set_tenant(session, tenant_id)
            await import_bundle(
                session,
                Mutation(tenant_id=tenant_id, actor="cli:run", reason="the demo workspace"),
                demo_bundle(control_url, upstream_url),
                dry_run=False,
            )
            source = (await read_stored(session)).sources[DEMO_SOURCE]
    finally:
        await engine.dispose()
    return ingress_path(source.id)


def write_credentials(
    data_dir: Path, creds: BootstrapResult, urls: dict[str, str], source_path: str
) -> Path:
    """``.data/demo.env``: the demo workspace's identities, the services' URLs and the demo
    source's URL and signing secret, as shell variables (``source .data/demo.env``),
    readable by its owner only."""
    values = {
        "TENANT_ID": str(creds.tenant_id),
        "EXEC_CLIENT_ID": creds.exec_client_id,
        "EXEC_CLIENT_SECRET": creds.exec_client_secret,
        "OPERATOR_CLIENT_ID": creds.control_client_id,
        "OPERATOR_CLIENT_SECRET": creds.control_client_secret,
        **{f"{name.upper().replace('-', '_')}_URL": url for name, url in urls.items()},
        "DEMO_WEBHOOK_URL": urls["webhook-ingress"] + source_path,
        "DEMO_WEBHOOK_SECRET": webhook_secret(data_dir),
    }
    lines = [f"export {name}={shlex.quote(value)}" for name, value in values.items()]
    return write_private(data_dir / CREDENTIALS_FILE, "\n".join(lines) + "\n")
