"""``/api/v1/signing-secrets``: reveal the workspace's signing secrets, rotate them.

Secret material, so both need an admin role, and both are audited: a read says who saw
the keys, a rotation who replaced them and why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import get

from orchestrator.control_api.guards import requires_role
from orchestrator.control_api.roles import ADMINS
from orchestrator.control_api.routes import creates
from orchestrator.control_api.scope import READ_GUARDS, Reason, ScopedController, WorkspaceScope
from orchestrator.control_api.signing_secrets.schemas import (
    SigningSecretList,
    SigningSecretOut,
    SigningSecretRotate,
)
from orchestrator.control_api.views import READS
from orchestrator.core.audit.change import record_change
from orchestrator.core.callbacks import secrets
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.http.auth import guarded
from orchestrator.core.runtime import Resources
from orchestrator.core.secrets.keyring import keyring_from

TARGET = "signing-secrets"


def to_list(found: list[secrets.SigningSecret]) -> SigningSecretList:
    """The API view of the secrets that sign now."""
    return SigningSecretList(
        items=[
            SigningSecretOut(id=s.id, key=s.key, created_at=s.created_at, expires_at=s.expires_at)
            for s in found
        ]
    )


def _ids(found: list[secrets.SigningSecret]) -> dict[str, Any]:
    return {"ids": [str(s.id) for s in found]}


class SigningSecretController(ScopedController):
    """Signing secrets of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/signing-secrets"
    tags = ["signing-secrets"]

    @get(opt=guarded(*READ_GUARDS, requires_role(*ADMINS)), responses=READS)
    async def list_signing_secrets(
        self, resources: Resources, ws: WorkspaceScope
    ) -> SigningSecretList:
        """The secrets that sign callbacks and forwards now, the newest first."""
        found = await secrets.signing_secrets(ws.session, keyring_from(resources.settings.crypto))
        by = Mutation(ws.tenant_id, ws.principal.subject, "read through the control-api")
        await record_change(ws.session, by, "signing_secret.reveal", TARGET, None, _ids(found))
        return to_list(found)

    @creates("/rotate")
    async def rotate_signing_secret(
        self,
        resources: Resources,
        ws: WorkspaceScope,
        reason: Reason,
        data: SigningSecretRotate | None = None,
    ) -> SigningSecretList:
        """Make a new secret; the ones before it keep signing for ``grace_period_s``."""
        grace = dt.timedelta(seconds=(data or SigningSecretRotate()).grace_period_s)
        keys = keyring_from(resources.settings.crypto)
        before = await secrets.signing_secrets(ws.session, keys)
        found = await secrets.rotate(ws.session, keys, ws.tenant_id, grace)
        after = {**_ids(found), "grace_period_s": int(grace.total_seconds())}
        by = Mutation(ws.tenant_id, ws.principal.subject, reason)
        await record_change(ws.session, by, "signing_secret.rotate", TARGET, _ids(before), after)
        return to_list(found)
