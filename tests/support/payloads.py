"""What the payload store's tests share: their deployment, workspace and the bucket's
raw objects (fixtures: ``payload_fixtures.py``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api
from tests.support.s3 import S3Server
from tests.support.stack import Stack

THRESHOLD = 64 * 1024
PREFIX = "payloads/"
BIG = 5 * 1024 * 1024
WAIT_S = 20.0
INBOX = "/webhooks/inbox"
MAX_BODY = 1024 * 1024
"""``ORCH_MAX_BODY_BYTES`` of these services: a job payload past the threshold fits."""


@dataclass
class Deployment:
    """This module's database, bucket and services."""

    env: dict[str, str]
    bucket: str
    owner: async_sessionmaker[AsyncSession]
    app: async_sessionmaker[AsyncSession]
    stack: Stack


@dataclass
class Workspace:
    """A tenant of the deployment, its operator, and a Stripe source taking 6 MiB."""

    tenant: BootstrapResult
    api: Api
    source_id: str


def objects(s3_server: S3Server, bucket: str, prefix: str) -> list[str]:
    """The keys under ``prefix``."""
    listed = s3_server.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


def raw_object(s3_server: S3Server, bucket: str, key: str) -> bytes:
    """An object's bytes as the bucket holds them."""
    return s3_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()


@contextlib.asynccontextmanager
async def silent_endpoint() -> AsyncIterator[str]:
    """The URL of a store that takes connections and never answers (a hung one)."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while await reader.read(65536):  # read what is sent, answer nothing
                pass
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
