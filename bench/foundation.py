"""Foundation figures: token verification cost, and an authenticated, RLS-scoped request
next to a bare endpoint of the same exec-api."""

from __future__ import annotations

import time
import uuid

import httpx
from tests.support.factories import fetch_token

from bench.load import LoadResult, Run, Target, load
from orchestrator.core.auth.claims import EXEC_AUDIENCE
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.auth.keystore import KeyStore
from orchestrator.core.auth.revocation import Denylist
from orchestrator.core.auth.verifier import TokenVerifier
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult


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
        max_lifetime_s=auth.max_token_lifetime_s,
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


def _row(name: str, result: LoadResult) -> str:
    return (
        f"  {name:<34} {result.rps:>9.0f} req/s   p50 {result.p50_ms:6.2f} ms   "
        f"p99 {result.p99_ms:6.2f} ms   errors {result.errors}"
    )


async def run(
    settings: CoreSettings,
    tenant: BootstrapResult,
    *,
    control_url: str,
    exec_url: str,
    seconds: float,
    concurrency: int,
) -> list[str]:
    """Measure and return the printed section."""
    uncached_us, cached_us = await verify_cost(settings)
    async with httpx.AsyncClient(trust_env=False) as client:
        token = await fetch_token(
            client, control_url, tenant.exec_client_id, tenant.exec_client_secret
        )
    run = Run(seconds=seconds, concurrency=concurrency)
    bare = await load(Target(f"{exec_url}/health"), run)
    authed = await load(
        Target(f"{exec_url}/api/v1/workspace", headers={"Authorization": f"Bearer {token}"}), run
    )
    return [
        "Token verification (in-process, ES256)",
        f"  uncached {uncached_us:8.1f} µs/token   cached {cached_us:6.2f} µs/token   "
        f"ratio {uncached_us / cached_us:6.0f}x",
        "",
        f"exec-api over HTTP (granian, one worker, core 0; {concurrency} connections)",
        _row("GET /health (bare)", bare),
        _row("GET /api/v1/workspace (JWT + RLS)", authed),
        f"  authenticated / bare throughput: {authed.rps / bare.rps:.2f}",
    ]
