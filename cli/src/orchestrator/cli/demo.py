"""The dev stack's demo workspace: what ``make run`` puts in it (a connector to the
control-api's own public endpoints, and one to the demo upstream with a policy that gives
up quickly), and the file a second shell sources for its credentials and URLs."""

from __future__ import annotations

import shlex
import uuid
from pathlib import Path

from orchestrator.cli.devstack import write_private
from orchestrator.core.bundles.importing import import_bundle
from orchestrator.core.bundles.model import Bundle, BundleConnector, BundlePolicy
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult

DEMO_ORG, DEMO_WORKSPACE = "demo", "demo-dev"
DEMO_CONNECTOR, UPSTREAM_CONNECTOR = "demo", "upstream"
CREDENTIALS_FILE = "demo.env"
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
    )


async def seed(
    settings: CoreSettings, tenant_id: uuid.UUID, control_url: str, upstream_url: str
) -> None:
    """Import the demo bundle into the demo workspace (what is already there is kept)."""
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
    finally:
        await engine.dispose()


def write_credentials(data_dir: Path, creds: BootstrapResult, urls: dict[str, str]) -> Path:
    """``.data/demo.env``: the demo workspace's identities and the services' URLs, as shell
    variables (``source .data/demo.env``), readable by its owner only."""
    values = {
        "TENANT_ID": str(creds.tenant_id),
        "EXEC_CLIENT_ID": creds.exec_client_id,
        "EXEC_CLIENT_SECRET": creds.exec_client_secret,
        "OPERATOR_CLIENT_ID": creds.control_client_id,
        "OPERATOR_CLIENT_SECRET": creds.control_client_secret,
        **{f"{name.upper().replace('-', '_')}_URL": url for name, url in urls.items()},
    }
    lines = [f"export {name}={shlex.quote(value)}" for name, value in values.items()]
    return write_private(data_dir / CREDENTIALS_FILE, "\n".join(lines) + "\n")
