"""What the CLI commands do, as plain async functions (the typer layer only parses)."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
import psycopg
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url

from orchestrator.core.auth import keys
from orchestrator.core.auth.subjects import revocation_horizon_s
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.errors import ConfigurationError
from orchestrator.core.maintenance.rotation import RotationReport
from orchestrator.core.maintenance.rotation import rotate_kek as rewrap_all
from orchestrator.core.migrations import runner
from orchestrator.core.notify import publish
from orchestrator.core.runtime import kek_from, keys_channel
from orchestrator.core.secrets.keyring import previous_kek
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.platform import ensure_platform_operator
from orchestrator.core.tenancy.service import BootstrapResult, bootstrap


def _plain(url: str) -> str:
    """A libpq URL (no SQLAlchemy driver suffix) for psycopg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def migrate(settings: CoreSettings) -> str | None:
    """Upgrade to head, set the runtime role's password, ensure a signing key; returns its kid."""
    owner = settings.db.owner_url()
    runner.upgrade(owner)
    if settings.db.app_password:
        with psycopg.connect(_plain(owner), autocommit=True) as conn:
            conn.execute(
                psycopg.sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    psycopg.sql.Identifier(settings.db.app_role),
                    psycopg.sql.Literal(settings.db.app_password),
                )
            )
    if not settings.crypto.kek:
        return None
    engine = create_engine(settings.db, owner=True)
    try:
        async with session_factory(engine)() as session, session.begin():
            key = await keys.ensure_active_key(session, kek_from(settings))
        return key.kid
    finally:
        await engine.dispose()


def check_schema(settings: CoreSettings) -> None:
    """``alembic check`` on a scratch database migrated to head, then dropped."""
    owner = make_url(settings.db.owner_url())
    scratch = f"orch_check_{uuid.uuid4().hex[:12]}"
    admin = _plain(owner.render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(scratch)))
    try:
        url = owner.set(database=scratch).render_as_string(hide_password=False)
        runner.upgrade(url)
        runner.check(url)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    psycopg.sql.Identifier(scratch)
                )
            )


async def rotate_keys(settings: CoreSettings) -> str:
    """Sign with a new key from now on; announce it so every service reloads at once."""
    grace = dt.timedelta(seconds=settings.auth.token_ttl_s + 2 * settings.auth.leeway_s)
    engine = create_engine(settings.db, owner=True)
    try:
        async with session_factory(engine)() as session, session.begin():
            key = await keys.rotate(session, kek_from(settings), grace=grace)
    finally:
        await engine.dispose()
    redis = Redis.from_url(settings.redis.require_url())
    try:
        await publish(redis, keys_channel(settings.redis.namespace), key.kid.encode())
    finally:
        await redis.aclose()
    return key.kid


class KeyRevocationReport(msgspec.Struct, frozen=True, kw_only=True):
    """What ``orchestrator keys revoke`` did, and how many processes heard of it."""

    kid: str
    was_verifying: bool
    replacement: str | None
    announced_to: int | None
    """Subscribers the announcement reached; None when Redis could not be told."""


async def revoke_key(settings: CoreSettings, kid: str) -> KeyRevocationReport | None:
    """Stop ``kid`` verifying and signing now and tell every service; None for an unknown kid.

    Committed first, then announced on the keys channel: every service reloads its keys
    and its verifier refuses the key's tokens, cached or not. Were the announcement lost,
    the services' key reconcile (``ORCH_AUTH_KEY_REFRESH_S``) still drops it.
    """
    engine = create_engine(settings.db, owner=True)
    try:
        async with session_factory(engine)() as session, session.begin():
            revoked = await keys.revoke(session, kek_from(settings), kid)
    finally:
        await engine.dispose()
    if revoked is None:
        return None
    # No audit record: the audit log belongs to workspaces, and a key belongs to none; the
    # row keeps the moment (``verify_until``), the command's output names the reason.
    announced_to: int | None
    redis = Redis.from_url(settings.redis.require_url(), socket_connect_timeout=2.0)
    try:
        announced_to = int(
            await redis.publish(keys_channel(settings.redis.namespace), kid.encode())
        )
    except RedisError:
        announced_to = None
    finally:
        await redis.aclose()
    return KeyRevocationReport(
        kid=kid,
        was_verifying=revoked.was_verifying,
        replacement=revoked.replacement,
        announced_to=announced_to,
    )


async def rotate_kek(settings: CoreSettings) -> RotationReport:
    """Re-wrap every sealed value from ``ORCH_KEK_PREVIOUS`` to ``ORCH_KEK``, as the owner role."""
    old = previous_kek(settings.crypto)
    if old is None:
        raise ConfigurationError(
            "ORCH_KEK_PREVIOUS (and ORCH_KEK_PREVIOUS_ID) must name the key to rotate away from"
        )
    engine = create_engine(settings.db, owner=True)
    try:
        return await rewrap_all(session_factory(engine), old=old, new=kek_from(settings))
    finally:
        await engine.dispose()


async def bootstrap_workspace(
    settings: CoreSettings, *, organization: str, workspace: str
) -> BootstrapResult:
    """Create (or find) the organization, workspace and identities, as the runtime role."""
    engine = create_engine(settings.db)
    try:
        return await bootstrap(
            session_factory(engine),
            kek_from(settings),
            organization=organization,
            workspace=workspace,
            environment=settings.deployment.environment,
            horizon_s=revocation_horizon_s(settings.auth.token_ttl_s, settings.auth.leeway_s),
        )
    finally:
        await engine.dispose()


class PlatformOperatorCredentials(msgspec.Struct, frozen=True, kw_only=True):
    """What ``orchestrator platform-operator create --json`` prints."""

    name: str
    client_id: str
    client_secret: str


async def create_platform_operator(
    settings: CoreSettings, *, name: str
) -> PlatformOperatorCredentials:
    """Create (or find) a platform operator and issue it a fresh secret, as the runtime role."""
    engine = create_engine(settings.db)
    try:
        async with session_factory(engine)() as session, session.begin():
            issued = await ensure_platform_operator(
                session,
                name,
                horizon_s=revocation_horizon_s(settings.auth.token_ttl_s, settings.auth.leeway_s),
            )
        return PlatformOperatorCredentials(
            name=name, client_id=issued.client_id, client_secret=issued.client_secret
        )
    finally:
        await engine.dispose()


def to_json(result: PlatformOperatorCredentials) -> str:
    """The JSON ``orchestrator platform-operator create --json`` prints."""
    return msgspec.json.encode(result).decode()


def bootstrap_json(result: BootstrapResult) -> str:
    """The JSON ``orchestrator bootstrap --json`` prints."""
    return msgspec.json.encode(result).decode()
