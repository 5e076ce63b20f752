"""The control-api's configuration endpoints as one operator sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any

import httpx

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import fetch_token
from tests.support.stack import Stack

REASON = {"reason": "configuration test"}


class Api:
    """Requests under ``/api/v1`` with one operator's token."""

    def __init__(self, http: httpx.AsyncClient, base: str, token: str) -> None:
        self.http, self.base = http, base
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        """Any request."""
        return await self.http.request(
            method, f"{self.base}/api/v1{path}", json=json, params=params, headers=self.headers
        )

    async def write(
        self, method: str, path: str, json: Any = None, **params: Any
    ) -> httpx.Response:
        """A mutation, with a ``reason``."""
        return await self.call(method, path, json=json, params={**REASON, **params})

    async def pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every page of a cursor-paginated list, following ``next_cursor`` to the end."""
        pages: list[dict[str, Any]] = []
        cursor: str | None = None
        while not pages or cursor is not None:
            after = {} if cursor is None else {"cursor": cursor}
            page = await self.call("GET", path, params={**params, **after})
            assert page.status_code == 200, page.text
            pages.append(page.json())
            cursor = pages[-1]["next_cursor"]
        return pages

    async def every(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a cursor-paginated list, in its order, walking all its pages."""
        return [item for page in await self.pages(path, **params) for item in page["items"]]


async def operator_api(http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult) -> Api:
    """The tenant's admin operator."""
    base = stack.url("control-api")
    token = await fetch_token(http, base, tenant.control_client_id, tenant.control_client_secret)
    return Api(http, base, token)


def platform_credentials(service_env: dict[str, str]) -> tuple[str, str]:
    """A new platform operator's client id and secret, made by the CLI as operators do."""
    command = [sys.executable, "-m", "orchestrator.cli.main", "platform-operator", "create"]
    command += ["--name", f"platform-{uuid.uuid4().hex[:6]}", "--json"]
    done = subprocess.run(
        command, env={**os.environ, **service_env}, check=True, capture_output=True
    )
    created = json.loads(done.stdout)
    return created["client_id"], created["client_secret"]
