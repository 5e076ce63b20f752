"""The dev stack's own secrets, made once and kept under ``.data`` so they survive restarts:
its key-encryption key and the demo source's signing secret. Apart from ``demo`` so the
launcher reads them without importing the bundle code the demo's seeding needs."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from orchestrator.cli.devstack import write_private

KEK_FILE, WEBHOOK_SECRET_FILE = "kek", "demo-webhook-secret"
WEBHOOK_SECRET_VARIABLE = "ORCH_TENANT_SECRET_DEMO_WEBHOOK"  # noqa: S105  (a name, not a secret)
"""Where the services read the demo source's signing secret (``env://``, under the
tenant prefix)."""


def dev_kek(data_dir: Path) -> str:
    """A KEK for local runs, kept under ``data_dir`` so secrets survive restarts."""
    path = data_dir / KEK_FILE
    if not path.exists():
        write_private(path, base64.b64encode(secrets.token_bytes(32)).decode())
    return path.read_text().strip()


def webhook_secret(data_dir: Path) -> str:
    """The demo source's signing secret, made once and kept under ``data_dir``."""
    path = data_dir / WEBHOOK_SECRET_FILE
    if not path.exists():
        write_private(path, "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode())
    return path.read_text().strip()
