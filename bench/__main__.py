"""``make bench``: figures for this machine, measured in one run.

Foundation figures: the cost of token verification with and without the
cache, and the exec-api's throughput and latency for an authenticated,
RLS-scoped request next to a bare endpoint of the same server. The exec-api
runs pinned to one core and the load generator to the other.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import time
import uuid

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url
from tests.support.factories import fetch_token, new_tenant
from tests.support.stack import start_service, wait_ready

from bench.load import LoadResult, run_load, run_wrk, wrk_available
from orchestrator.core.auth import keys
from orchestrator.core.auth.claims import EXEC_AUDIENCE
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.auth.keystore import KeyStore
from orchestrator.core.auth.revocation import Denylist
from orchestrator.core.auth.verifier import TokenVerifier
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.migrations import runner
from orchestrator.core.settings import CoreSettings

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def verify_cost(settings: CoreSettings) -> tuple[float, float]:
    """Microseconds per verification: every token new, versus the same token again."""
    engine = create_engine(settings.db)
    keystore = KeyStore(
        session_factory(engine),
        kek=KeyEncryptionKey(settings.crypto.kek_id, settings.crypto.kek_bytes()),
    )
    await keystore.refresh()
    await engine.dispose()
    denylist = Denylist()
    denylist.loaded = True
    auth = settings.auth
    verifier = TokenVerifier(
        keystore,
        denylist,
        issuer=auth.issuer,
        audience=EXEC_AUDIENCE,
        leeway_s=auth.leeway_s,
        cache_size=1_000_000,
    )
    issuer = TokenIssuer(keystore, issuer=auth.issuer, ttl_s=auth.token_ttl_s)
    tokens = [
        issuer.issue(
            subject="svc:bench", tenant_id=uuid.uuid4(), audience=EXEC_AUDIENCE, scopes=["execute"]
        )
        for _ in range(2000)
    ]
    start = time.perf_counter()
    for token in tokens:
        await verifier.verify(token)
    uncached = (time.perf_counter() - start) / len(tokens) * 1e6
    start = time.perf_counter()
    for _ in range(20):
        for token in tokens:
            await verifier.verify(token)
    cached = (time.perf_counter() - start) / (20 * len(tokens)) * 1e6
    return uncached, cached


async def load(url: str, headers: dict[str, str]) -> LoadResult:
    """wrk when installed (the server is then the bottleneck), else the aiohttp generator."""
    if wrk_available():
        return await asyncio.to_thread(
            run_wrk, url, headers=headers, seconds=SECONDS, concurrency=CONCURRENCY
        )
    return await run_load(url, headers=headers, seconds=SECONDS, concurrency=CONCURRENCY)


def row(name: str, result: LoadResult) -> str:
    return f"  {name:<34} {result.rps:>9.0f} req/s   p50 {result.p50_ms:6.2f} ms   p99 {result.p99_ms:6.2f} ms   errors {result.errors}"


async def main() -> None:
    base = CoreSettings.from_env()
    db_name = f"orch_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(base.db.owner_url()), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db_name)))
    env = {
        "DATABASE_URL": make_url(base.db.owner_url())
        .set(database=db_name)
        .render_as_string(hide_password=False),
        "REDIS_URL": base.redis.require_url(),
        "ORCH_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ORCH_REDIS_NAMESPACE": f"orch-bench-{uuid.uuid4().hex[:6]}",
        "ORCH_LOG_LEVEL": "WARNING",
    }
    settings = CoreSettings.from_env(env)
    services = []
    try:
        runner.upgrade(env["DATABASE_URL"])
        owner = create_engine(settings.db, owner=True)
        async with session_factory(owner)() as session, session.begin():
            await keys.ensure_active_key(
                session, KeyEncryptionKey(settings.crypto.kek_id, settings.crypto.kek_bytes())
            )
        await owner.dispose()
        app = create_engine(settings.db)
        tenant = await new_tenant(
            session_factory(app),
            KeyEncryptionKey(settings.crypto.kek_id, settings.crypto.kek_bytes()),
        )
        await app.dispose()

        uncached_us, cached_us = await verify_cost(settings)

        control = start_service("control-api", "orchestrator.control_api", env)
        exec_api = start_service("exec-api", "orchestrator.exec_api", env, cpus={0})
        services = [control, exec_api]
        for service in services:
            wait_ready(service)
        os.sched_setaffinity(0, {1})
        import httpx

        async with httpx.AsyncClient() as client:
            token = await fetch_token(
                client, control.url, tenant.exec_client_id, tenant.exec_client_secret
            )
        bare = await run_load(
            f"{exec_api.url}/health", headers={}, seconds=SECONDS, concurrency=CONCURRENCY
        )
        authed = await run_load(
            f"{exec_api.url}/api/v1/workspace",
            headers={"Authorization": f"Bearer {token}"},
            seconds=SECONDS,
            concurrency=CONCURRENCY,
        )
        print(
            f"Orchestrator bench — {os.cpu_count()} cores, exec-api pinned to core 0, {CONCURRENCY} connections, {SECONDS:.0f} s per run, load from {'wrk' if wrk_available() else 'aiohttp (install wrk for truer figures)'}"
        )
        print()
        print("Token verification (in-process, ES256)")
        print(
            f"  uncached {uncached_us:8.1f} µs/token   cached {cached_us:6.2f} µs/token   ratio {uncached_us / cached_us:6.0f}x"
        )
        print()
        print("exec-api over HTTP (granian, one worker)")
        print(row("GET /health (bare)", bare))
        print(row("GET /api/v1/workspace (JWT + RLS)", authed))
        print(f"  authenticated / bare throughput: {authed.rps / bare.rps:.2f}")
    finally:
        for service in services:
            service.stop()
        with psycopg.connect(libpq(base.db.owner_url()), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db_name))
            )


if __name__ == "__main__":
    asyncio.run(main())
