"""Migration helpers for the runtime role: created once, granted per table."""

from __future__ import annotations

import re

from alembic import op

from orchestrator.core.settings import DatabaseSettings

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def app_role() -> str:
    """The runtime role's name, from the settings in force when migrating (a plain
    identifier, since it is written into statements)."""
    role = DatabaseSettings.from_env().app_role
    if not _ROLE_NAME.fullmatch(role):
        raise ValueError(f"ORCH_DB_APP_ROLE must be a plain lower-case identifier, not {role!r}")
    return role


def create_app_role() -> None:
    """Create the runtime role if missing: LOGIN, never superuser, never BYPASSRLS.

    Roles are cluster-wide, so the role may exist already (another database of
    the same cluster); it is then forced back to the safe attributes if it lost them.
    """
    role = app_role()
    # Two databases of one cluster may be migrated at once: a concurrent CREATE is taken as
    # done, and the role is altered only when it needs it (two ALTERs of one role at once
    # fail with "tuple concurrently updated").
    # The role is a checked identifier from the deployment's settings (``app_role``).
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                BEGIN
                    CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;
                END;
            END IF;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}'
                       AND (rolsuper OR rolbypassrls OR rolcreatedb OR rolcreaterole)) THEN
                ALTER ROLE "{role}" NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            END IF;
        END
        $$
        """  # noqa: S608
    )
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')


def grant(table: str, privileges: str) -> None:
    """Grant ``privileges`` on ``table`` to the runtime role."""
    op.execute(f'GRANT {privileges} ON "{table}" TO "{app_role()}"')


def revoke_all(table: str) -> None:
    """Revoke every privilege the runtime role has on ``table``."""
    op.execute(f'REVOKE ALL ON "{table}" FROM "{app_role()}"')
