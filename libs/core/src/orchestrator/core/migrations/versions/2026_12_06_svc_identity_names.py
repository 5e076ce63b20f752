"""A service identity's name is unique within its workspace (ADR 0047).

The name is the token's ``sub`` and, with the workspace, the key of its subject
revocation: two identities of one name would share both. Until now only a lookup
before insert (``orchestrator bootstrap``) kept names apart, so a concurrent run could
have left a duplicate; the upgrade stops and names it rather than pick one to rename.

Revision ID: 2026_12_06_svc_identity_names
Revises: 2026_12_06_subject_revocation
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_06_svc_identity_names"  # alembic_version holds 32 characters
down_revision: str | None = "2026_12_06_subject_revocation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "uq_service_identities_workspace_id_name"


def upgrade() -> None:
    duplicates = op.get_bind().execute(
        sa.text(
            "SELECT workspace_id, name FROM service_identities"
            " GROUP BY workspace_id, name HAVING count(*) > 1"
        )
    )
    clashes = [f"{row.workspace_id}/{row.name}" for row in duplicates]
    if clashes:
        # Renaming one would change its token subject behind its backend's back.
        raise RuntimeError(
            "Service identities share a name in one workspace; rename or delete all but one "
            f"of each and upgrade again: {', '.join(clashes)}"
        )
    op.create_unique_constraint(CONSTRAINT, "service_identities", ["workspace_id", "name"])


def downgrade() -> None:
    op.drop_constraint(CONSTRAINT, "service_identities", type_="unique")
