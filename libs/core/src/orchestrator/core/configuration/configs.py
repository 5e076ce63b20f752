"""A workspace's configs: versioned documents, one version active at a time.

Versions are immutable history: a new document becomes a new active version, and
activation and rollback only move the active pointer (compare-and-set on request),
each move audited with the version it left.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration import repository, views
from orchestrator.core.configuration.models import Config, ConfigVersion
from orchestrator.core.configuration.mutation import (
    Action,
    Mutation,
    audit_change,
    flush_or_conflict,
)
from orchestrator.core.configuration.validation import nul_errors, raise_if
from orchestrator.core.db.base import utcnow
from orchestrator.core.errors import Conflict, NotFound, ValidationFailed


async def write_config(
    session: AsyncSession,
    m: Mutation,
    name: str,
    document: dict[str, Any],
    existing: tuple[Config, ConfigVersion] | None,
) -> tuple[Config, ConfigVersion, Action | None]:
    """Store ``document`` as a new active version, unless it equals the active one.

    Only the active version is compared: a document equal to an older (inactive) version
    becomes a new version all the same, so numbers are never reused and the newest
    version written is the one active. Re-activating an old version is ``activate_config``.
    """
    if existing is None:
        config = Config(
            id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, active_version=1, latest_version=1
        )
        session.add(config)
        await flush_or_conflict(session, f"config `{name}`")
        before = None
        number = 1
    else:
        config, active = existing
        if active.document == document:
            return config, active, None
        before = views.config_view(name, active)
        number = config.latest_version + 1
        config.active_version = config.latest_version = number
        config.updated_at = utcnow()
    version = ConfigVersion(
        id=uuid.uuid4(),
        tenant_id=m.tenant_id,
        config_id=config.id,
        version=number,
        document=document,
        created_by=m.actor,
    )
    session.add(version)
    await flush_or_conflict(session, f"config `{name}`")
    action: Action = "create" if existing is None else "update"
    after = views.config_view(name, version)
    await audit_change(session, m, f"config.{action}", f"config:{name}", before, after)
    return config, version, action


async def get_config(session: AsyncSession, name: str) -> tuple[Config, ConfigVersion]:
    """A config and its active version, or 404."""
    found = await repository.config_by_name(session, name)
    if found is None:
        raise NotFound(f"No config called `{name}` in this workspace.")
    return found


async def put_config(
    session: AsyncSession, m: Mutation, name: str, document: dict[str, Any]
) -> tuple[Config, ConfigVersion]:
    """Make ``document`` the active version of config ``name`` (created if missing)."""
    raise_if(nul_errors(document, "/document"), "The config document is not valid.")
    existing = await repository.config_by_name(session, name, for_update=True)
    config, version, _ = await write_config(session, m, name, document, existing)
    return config, version


async def _move_config_pointer(
    session: AsyncSession,
    m: Mutation,
    action: str,
    current: tuple[Config, ConfigVersion],
    target: ConfigVersion,
) -> tuple[Config, ConfigVersion]:
    """Make ``target`` the active version and audit the move (versions never change)."""
    config, active = current
    before = views.config_view(config.name, active)
    config.active_version, config.updated_at = target.version, utcnow()
    await flush_or_conflict(session, f"config `{config.name}`")
    after = views.config_view(config.name, target)
    await audit_change(session, m, action, f"config:{config.name}", before, after)
    return config, target


def _check_expected(config: Config, expected_active_version: int | None) -> None:
    """Compare-and-set: 409 when the pointer is no longer where the client last saw it."""
    if expected_active_version is not None and expected_active_version != config.active_version:
        raise Conflict(
            f"Config `{config.name}` has version {config.active_version} active, "
            f"not {expected_active_version}; read it again and retry.",
            active_version=config.active_version,
        )


async def _locked_config(session: AsyncSession, name: str) -> tuple[Config, ConfigVersion]:
    found = await repository.config_by_name(session, name, for_update=True)
    if found is None:
        raise NotFound(f"No config called `{name}` in this workspace.")
    return found


async def activate_config(
    session: AsyncSession,
    m: Mutation,
    name: str,
    version: int,
    expected_active_version: int | None = None,
) -> tuple[Config, ConfigVersion]:
    """Point config ``name`` at its existing ``version``.

    404 for an unknown config, 422 (at ``/version``) for an unknown version, 409 when
    ``expected_active_version`` is given and no longer active. Activating the version
    already active changes nothing and is not audited, whatever ``expected_active_version``
    says: the state asked for holds, so a retried activation is safe.
    """
    current = await _locked_config(session, name)
    config = current[0]
    if version == config.active_version:
        return current
    found = await repository.config_version(session, name, version)
    if found is None:
        message = f"config `{name}` has no version {version} (latest: {config.latest_version})"
        raise ValidationFailed(
            f"Config `{name}` has no version {version}.",
            errors=[{"key": "/version", "message": message}],
        )
    _check_expected(config, expected_active_version)
    return await _move_config_pointer(session, m, "config.activate", current, found[1])


async def previous_active_version(session: AsyncSession, config: Config) -> int | None:
    """The version active before the current one, if any.

    Every pointer move (create, update, activate, rollback) is audited with the version
    it left, so the last move names it; a rollback is itself a move, so a second rollback
    undoes the first (as ``kubectl rollout undo`` does). Without a matching record (rows
    written around the API), the version below the active one.
    """
    move = await repository.last_config_move(session, config.name)
    if move is not None and move[1] == config.active_version:
        before = move[0]
        valid = before is not None and 1 <= before <= config.latest_version
        return before if valid and before != config.active_version else None
    return config.active_version - 1 if config.active_version > 1 else None


async def rollback_config(
    session: AsyncSession, m: Mutation, name: str, expected_active_version: int | None = None
) -> tuple[Config, ConfigVersion]:
    """Re-activate the version that was active before the current one.

    404 for an unknown config; 409 when there is no earlier version, or when
    ``expected_active_version`` is given and no longer active.
    """
    current = await _locked_config(session, name)
    config, _ = current
    _check_expected(config, expected_active_version)
    previous = await previous_active_version(session, config)
    found = None if previous is None else await repository.config_version(session, name, previous)
    if found is None:
        raise Conflict(
            f"Config `{name}` has no earlier active version to roll back to.",
            active_version=config.active_version,
        )
    return await _move_config_pointer(session, m, "config.rollback", current, found[1])
