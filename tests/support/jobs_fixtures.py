"""Fixtures of the jobs-plane tests, loaded with ``pytest_plugins`` (never imported).

Worker-side tests (claim, finish, relay) run against a database of their own: the
session's stack runs a worker whose outbox relay would otherwise publish, and run,
the rows these tests write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from orchestrator.cli.infra import Infra
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.settings import CoreSettings
from tests.support import databases
from tests.support.jobs import IsolatedDb


@pytest.fixture(scope="module")
def isolated_url(infra: Infra, migrated_template: str) -> Iterator[str]:
    """A fresh database migrated to head, dropped after the module."""
    url = databases.copy_of(infra.database_url, migrated_template, "orch_jobs")
    yield url
    databases.drop_database(infra.database_url, url)


@pytest.fixture(scope="module")
async def isolated(isolated_url: str, service_env: dict[str, str]) -> AsyncIterator[IsolatedDb]:
    """Sessions on the isolated database, as the owner and as the runtime role."""
    settings = CoreSettings.from_env({**service_env, "DATABASE_URL": isolated_url})
    engines: list[AsyncEngine] = [
        create_engine(settings.db, owner=True),
        create_engine(settings.db),
    ]
    kek = KeyEncryptionKey(id=settings.crypto.kek_id, key=settings.crypto.kek_bytes())
    yield IsolatedDb(
        isolated_url, settings, session_factory(engines[0]), session_factory(engines[1]), kek
    )
    for engine in engines:
        await engine.dispose()
