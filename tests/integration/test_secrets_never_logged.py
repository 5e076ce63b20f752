"""No secret value reaches a log line, whatever fails.

One tenant holds known secret values (a bearer token, a basic password and an API key
in ``db://`` refs, a webhook source's signing secret, the callback-signing secret, its
client secrets and tokens); the test then makes every kind of failure happen through
the public APIs (upstream errors, timeouts, dropped and refused connections, values a
header cannot carry, unresolvable refs, refused addresses, forged signatures and
tokens, failed callbacks), by ``/execute`` and by jobs. Every line every service of the
session wrote by then (this test's and all earlier tests') is read, and none may hold a
secret value, the deployment's KEK included.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
import uuid
from typing import Any

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.conftest import TENANT_SECRET_VALUE, TENANT_SECRET_VARIABLE
from tests.support.control_api import Api, operator_api
from tests.support.durability import until
from tests.support.factories import fetch_token
from tests.support.stack import Stack, free_port
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import new_source, stored_secret

pytestmark = pytest.mark.integration

JOBS = "/api/v1/jobs"
QUICK = {
    "retry": {"max_attempts": 2, "base_delay_s": 0.01, "max_delay_s": 0.02},
    "timeout": {"connect_s": 0.5, "read_s": 0.3, "total_s": 1.0},
}


def config(base_url: str, auth: dict[str, Any]) -> dict[str, Any]:
    """One operation, ``call``: GET /leak/{case} with a header from the payload."""
    return {
        "base_url": base_url,
        "auth": auth,
        "operations": {
            "call": {
                "method": "GET",
                "path": "/leak/{case}",
                "headers": {"X-Note": "{note?}"},
                "payload_schema": {"type": "object", "required": ["case"]},
            }
        },
    }


class Tenant:
    """The tenant's operator, its exec headers, and the secret values it was given."""

    def __init__(self, api: Api, http: httpx.AsyncClient, exec_url: str, token: str) -> None:
        self.api, self.http, self.exec_url = api, http, exec_url
        self.exec_headers = {"Authorization": f"Bearer {token}"}
        self.values: list[str] = [token]

    async def secret(self, name: str, suffix: str = "") -> str:
        value = f"sk_test_{secrets.token_urlsafe(24)}{suffix}"
        await stored_secret(self.api, name, value)
        self.values.append(value)
        return value

    async def connector(
        self, name: str, base_url: str, auth: dict[str, Any], refs: dict[str, str]
    ) -> None:
        made = await self.api.write(
            "POST",
            "/connectors",
            {
                "name": name,
                "type": "http",
                "config": config(base_url, auth),
                "secrets": refs,
                "policy": "quick",
            },
        )
        assert made.status_code == 201, made.text

    async def execute(self, connector: str, payload: dict[str, Any]) -> httpx.Response:
        return await self.http.post(
            f"{self.exec_url}/api/v1/execute",
            json={"connector": connector, "operation": "call", "payload": payload},
            headers=self.exec_headers,
        )

    async def job(self, connector: str, payload: dict[str, Any], **extra: Any) -> str | None:
        """The new job's id, or ``None`` when it was refused (a payload that cannot be sent,
        a secret that does not resolve)."""
        response = await self.http.post(
            self.exec_url + JOBS,
            json={"connector": connector, "operation": "call", "payload": payload, **extra},
            headers=self.exec_headers,
        )
        assert response.status_code in {202, 409, 422}, response.text
        return str(response.json()["id"]) if response.status_code == 202 else None

    async def finished(self, job_id: str) -> list[str]:
        """The job's event types, once it ended and its callback failed a first time."""
        types: list[str] = []

        async def done() -> bool:
            response = await self.http.get(
                f"{self.exec_url}/api/v1/events",
                params={"job_id": job_id},
                headers=self.exec_headers,
            )
            types[:] = [event["type"] for event in response.json()["items"]]
            return "callback.failed" in types

        assert await until(done, timeout_s=30, every_s=0.1), types
        return types


def stripe_signature(secret: str, body: bytes, *, timestamp: int) -> str:
    signed = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={signed.hexdigest()}"


async def test_no_secret_value_reaches_a_log_line_across_every_kind_of_failure(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    upstream: UpstreamServer,
    service_env: dict[str, str],
) -> None:
    control = stack.url("control-api")
    token = await fetch_token(http, control, tenant.exec_client_id, tenant.exec_client_secret)
    api = await operator_api(http, stack, tenant)
    t = Tenant(api, http, stack.url("exec-api"), token)
    t.values += [
        tenant.exec_client_secret,
        tenant.control_client_secret,
        api.headers["Authorization"].removeprefix("Bearer "),
        service_env["ORCH_KEK"],
    ]
    made = await api.write("POST", "/policies", {"name": "quick", "spec": QUICK})
    assert made.status_code == 201, made.text

    await t.secret("bearer")
    await t.secret("password")
    await t.secret("api-key")
    await t.secret("unsendable", "\r\nX-Injected: ☃")  # no header can carry it
    assert (await api.write("POST", "/secret-refs", {"name": "empty", "ref": "db://"})).is_success
    from_env = {"name": "from-env", "ref": f"env://{TENANT_SECRET_VARIABLE}"}
    assert (await api.write("POST", "/secret-refs", from_env)).is_success
    t.values.append(TENANT_SECRET_VALUE)
    closed = f"http://127.0.0.1:{free_port()}"
    await t.connector("bearer", upstream.url, {"type": "bearer", "secret": "t"}, {"t": "bearer"})
    await t.connector(
        "basic",
        upstream.url,
        {"type": "basic", "username": "u", "password_secret": "p"},
        {"p": "password"},
    )
    await t.connector("keyed", upstream.url, {"type": "api_key", "secret": "k"}, {"k": "api-key"})
    await t.connector("refused", closed, {"type": "bearer", "secret": "t"}, {"t": "bearer"})
    await t.connector("env", upstream.url, {"type": "bearer", "secret": "t"}, {"t": "from-env"})
    await t.connector("unset", upstream.url, {"type": "bearer", "secret": "t"}, {"t": "empty"})
    await t.connector(
        "unsendable", upstream.url, {"type": "bearer", "secret": "t"}, {"t": "unsendable"}
    )
    revealed = await api.call("GET", "/signing-secrets")
    assert revealed.status_code == 200, revealed.text
    t.values += [item["key"] for item in revealed.json()["items"]]

    upstream.fail("/leak/500", status=500, times=None)
    upstream.fail("/leak/401", status=401, times=None)
    upstream.fail("/leak/429", status=429, times=None)
    upstream.hang("/leak/hang", times=None)
    upstream.drop("/leak/drop", times=None)
    upstream.trickle("/leak/trickle", ms=200, times=None)
    cases = ["500", "401", "429", "hang", "drop", "trickle", "ok"]
    notes = [None, "line\r\nInjected: 1", "nul\x00byte", "snow☃man", "tab\tand\x7fdel"]

    answers: list[httpx.Response] = []
    job_ids: list[str] = []
    for connector in ("bearer", "basic", "keyed", "env", "refused", "unset", "unsendable"):
        for case in cases:
            for note in notes:
                payload = {"case": case} if note is None else {"case": case, "note": note}
                if case in {"ok", "500"} or note is None:
                    answers.append(await t.execute(connector, payload))
                if case in {"500", "drop"} and (
                    job_id := await t.job(connector, payload, callback_url=closed)
                ):
                    job_ids.append(job_id)
    statuses = [answer.status_code for answer in answers]
    assert {200, 409, 422, 502} <= set(statuses)  # successes, unresolved and unsendable
    assert all(status < 500 or status in {502, 503, 504} for status in statuses), statuses

    # Configuration the address rules refuse, and forms that name a secret in an error.
    for base_url in ("http://169.254.169.254", "http://[169.254.169.254]", "http://0xa9fea9fe"):
        refused = await api.write(
            "POST",
            "/connectors",
            {
                "name": "meta",
                "type": "http",
                "config": config(base_url, {"type": "bearer", "secret": "t"}),
                "secrets": {"t": "bearer"},
            },
        )
        assert refused.status_code == 422, refused.text

    # A webhook source with a known signing secret: forged, stale and good deliveries.
    source_secret = f"whsec_{secrets.token_urlsafe(24)}"
    await stored_secret(api, "stripe-signing", source_secret)
    t.values.append(source_secret)
    source_id = await new_source(api, "stripe", ["stripe-signing"])
    ingress = f"{stack.url('webhook-ingress')}/webhooks/{source_id}"
    body = b'{"id": "evt_%s", "type": "charge.succeeded", "data": {}}' % uuid.uuid4().hex.encode()
    now = int(time.time())
    for signature in (
        "t=1,v1=00",
        stripe_signature(source_secret, body, timestamp=now - 3600),
        stripe_signature(source_secret[::-1], body, timestamp=now),
        stripe_signature(source_secret, body, timestamp=now),
    ):
        delivered = await http.post(
            ingress,
            content=body,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )
        assert delivered.status_code in {200, 401}, delivered.text

    # Tokens and client secrets presented wrongly.
    for bad in (f"{token[:-4]}AAAA", token.replace(".", "", 1), f"{token} {token}"):
        refused_token = await http.get(
            f"{t.exec_url}/api/v1/workspace", headers={"Authorization": f"Bearer {bad}"}
        )
        assert refused_token.status_code == 401
    wrong = await http.post(
        f"{control}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": tenant.exec_client_id,
            "client_secret": tenant.exec_client_secret[::-1],
        },
    )
    assert wrong.status_code in {401, 429}

    for job_id in job_ids:
        assert {"job.dead", "job.failed"} & set(await t.finished(job_id))
    await asyncio.sleep(0.5)  # the services' last lines of this test reach their files

    logs = {name: service.log() for name, service in stack.services.items()}
    # These are the files this test's requests and jobs were logged to.
    assert str(tenant.tenant_id) in logs["exec-api"]
    assert all(job_id in logs["worker"] for job_id in job_ids)  # their callbacks' failures
    # Error documents only: a success carries the upstream's body, and the test's echoes
    # the request head it received.
    refusals = {f"answer {i}": a.text for i, a in enumerate(answers) if a.status_code >= 400}
    texts = logs | refusals
    leaks = [
        (where, value[:8]) for where, text in texts.items() for value in t.values if value in text
    ]
    assert leaks == []
