"""Migration helpers that put a tenant table under row-level security."""

from __future__ import annotations

from alembic import op

TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
POLICY_NAME = "tenant_isolation"


def enable_tenant_rls(table: str) -> None:
    """ENABLE and FORCE RLS on ``table`` with the tenant policy in USING and WITH CHECK."""
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY {POLICY_NAME} ON "{table}" '
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
    )


def disable_tenant_rls(table: str) -> None:
    """Undo ``enable_tenant_rls``."""
    op.execute(f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


WORKSPACE_TENANT_PREDICATE = "id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
WORKSPACE_ORG_PREDICATE = (
    "organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid"
)


def enable_workspace_rls() -> None:
    """The tenant registry: a tenant sees its own row, an organization its workspaces.

    Two permissive policies are OR-ed: the exec plane sets only the tenant, the
    control plane sets the organization for org-wide work.
    """
    op.execute('ALTER TABLE "workspaces" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "workspaces" FORCE ROW LEVEL SECURITY')
    for name, predicate in (
        (POLICY_NAME, WORKSPACE_TENANT_PREDICATE),
        ("organization_scope", WORKSPACE_ORG_PREDICATE),
    ):
        op.execute(
            f'CREATE POLICY {name} ON "workspaces" USING ({predicate}) WITH CHECK ({predicate})'
        )


def disable_workspace_rls() -> None:
    """Undo ``enable_workspace_rls``."""
    op.execute('DROP POLICY IF EXISTS organization_scope ON "workspaces"')
    disable_tenant_rls("workspaces")
