"""A scratch deployment for one bench run: its own database, Redis namespace and tenant."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import psycopg
from psycopg import sql
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from tests.support.control_api import Api
from tests.support.factories import fetch_token, new_tenant
from tests.support.stack import LOG_DIR, Service, free_port, wait_ready

from orchestrator.core.auth import keys
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.migrations import runner
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult


def libpq(url: str) -> str:
    """A URL psycopg accepts (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(frozen=True)
class Scratch:
    """The environment every service of the run gets, and the tenant it acts as."""

    env: dict[str, str]
    settings: CoreSettings
    tenant: BootstrapResult

    @property
    def owner_dsn(self) -> str:
        """libpq URL of the schema owner (for set-up and inspection)."""
        return libpq(self.settings.db.owner_url())


@asynccontextmanager
async def scratch_deployment() -> AsyncIterator[Scratch]:
    """A migrated database with a signing key and one tenant; dropped (and the Redis
    namespace cleared) afterwards."""
    base = CoreSettings.from_env()
    db_name = f"orch_bench_{uuid.uuid4().hex[:8]}"
    namespace = f"orch-bench-{uuid.uuid4().hex[:6]}"
    with psycopg.connect(libpq(base.db.owner_url()), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db_name)))
    env = {
        "DATABASE_URL": make_url(base.db.owner_url())
        .set(database=db_name)
        .render_as_string(hide_password=False),
        "REDIS_URL": base.redis.require_url(),
        "ORCH_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ORCH_REDIS_NAMESPACE": namespace,
        "ORCH_LOG_LEVEL": "WARNING",
        "ORCH_UPSTREAM_ALLOW_LOOPBACK": "true",
    }
    settings = CoreSettings.from_env(env)
    try:
        runner.upgrade(env["DATABASE_URL"])
        kek = KeyEncryptionKey(settings.crypto.kek_id, settings.crypto.kek_bytes())
        owner = create_engine(settings.db, owner=True)
        async with session_factory(owner)() as session, session.begin():
            await keys.ensure_active_key(session, kek)
        await owner.dispose()
        app = create_engine(settings.db)
        tenant = await new_tenant(session_factory(app), kek)
        await app.dispose()
        yield Scratch(env=env, settings=settings, tenant=tenant)
    finally:
        with psycopg.connect(libpq(base.db.owner_url()), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db_name))
            )
        redis = Redis.from_url(base.redis.require_url())
        try:
            found = [key async for key in redis.scan_iter(match=f"{namespace}*", count=1000)]
            for start in range(0, len(found), 1000):
                await redis.delete(*found[start : start + 1000])
        finally:
            await redis.aclose()


def start_ready(
    name: str,
    module: str,
    env: Mapping[str, str],
    port_variable: str,
    *,
    cpus: set[int] | None = None,
    path: str = "/ready",
) -> Service:
    """``python -m module`` on a free port (named by ``port_variable``), optionally pinned;
    returned once ``path`` answers 200."""
    port = free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{name}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            env={**os.environ, **env, port_variable: str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
            start_new_session=True,
        )
    service = Service(name, module, port, process, log_path)
    try:
        wait_ready(service, path)
    except BaseException:
        service.stop()
        raise
    return service


async def tenant_clients(
    http: httpx.AsyncClient, scratch: Scratch, control_url: str
) -> tuple[Api, str]:
    """The scratch tenant's admin operator on the control-api, and an exec token of it."""
    tenant = scratch.tenant
    operator = Api(
        http,
        control_url,
        await fetch_token(
            http, control_url, tenant.control_client_id, tenant.control_client_secret
        ),
    )
    token = await fetch_token(http, control_url, tenant.exec_client_id, tenant.exec_client_secret)
    return operator, token


async def new_workspace(scratch: Scratch) -> BootstrapResult:
    """A workspace of its own in the scratch deployment (the other sections fill the
    scratch tenant's with jobs and deliveries)."""
    settings = scratch.settings
    kek = KeyEncryptionKey(settings.crypto.kek_id, settings.crypto.kek_bytes())
    engine = create_engine(settings.db)
    try:
        return await new_tenant(session_factory(engine), kek)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Stage:
    """Where a section runs: the deployment and its control-api, the processes started so
    far (a section adds those it starts, so they stop with the run), and the cores of the
    servers under test and of the load."""

    scratch: Scratch
    control_url: str
    services: list[Service]
    server_cpus: set[int]
    load_cpus: set[int]
