"""Webhook sources and their bindings are part of the workspace's configuration versions
(ADR 0077): a rollback puts the webhook-ingress back on the old signing secret within a
second, and restores a deleted source, bindings and all, at its old ingress URL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.integration.test_version_api import numbers, within_a_second
from tests.support.control_api import Api, operator_api
from tests.support.stack import Stack
from tests.support.webhooks import SOURCES, bind, stored_secret, stripe_event, stripe_headers

pytestmark = pytest.mark.integration

OLD_SECRET = "whsec_signing_secret_before"
NEW_SECRET = "whsec_signing_secret_after"


class Provider:
    """Stripe, as far as the webhook-ingress can tell: signed deliveries to one source."""

    def __init__(self, http: httpx.AsyncClient, stack: Stack, source_id: str) -> None:
        self.http, self.url = http, f"{stack.url('webhook-ingress')}/webhooks/{source_id}"

    async def deliver(self, secret: str) -> int:
        """The status of a fresh event signed with ``secret``."""
        body = stripe_event()
        response = await self.http.post(
            self.url, content=body, headers=stripe_headers(body, secret=secret)
        )
        return response.status_code

    async def answers(self, secret: str, status: int) -> bool:
        """Whether a delivery signed with ``secret`` gets ``status``."""
        return await self.deliver(secret) == status

    async def verifies_only(self, secret: str, refused: str) -> bool:
        """Whether a delivery signed with ``secret`` is taken and one with ``refused`` is not."""
        return (await self.deliver(secret), await self.deliver(refused)) == (200, 401)


@pytest.fixture
async def api(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Api:
    """The tenant's admin operator on the control-api."""
    api = await operator_api(http, stack, tenant)
    await stored_secret(api, "signing-old", OLD_SECRET)
    await stored_secret(api, "signing-new", NEW_SECRET)
    return api


async def test_a_rollback_puts_the_ingress_back_on_the_old_signing_secret_within_a_second(
    api: Api, stack: Stack, http: httpx.AsyncClient
) -> None:
    source: dict[str, Any] = {
        "name": "payments",
        "provider": "stripe",
        "secret_refs": ["signing-old"],
    }
    created = await api.write("POST", SOURCES, source)
    assert created.status_code == 201, created.text
    source_id = created.json()["id"]
    provider = Provider(http, stack, source_id)
    assert await provider.verifies_only(OLD_SECRET, refused=NEW_SECRET)
    first = (await numbers(api))[0]
    assert first[1] == "webhook_sources +payments"

    moved = await api.write(
        "PUT", f"{SOURCES}/{source_id}", source | {"secret_refs": ["signing-new"]}
    )
    assert moved.status_code == 200, moved.text
    await within_a_second(lambda: provider.verifies_only(NEW_SECRET, refused=OLD_SECRET))
    assert (await numbers(api))[0] == (first[0] + 1, "webhook_sources ~payments")

    back = await api.write("POST", "/versions/rollback", reason="the provider kept the old one")
    assert back.status_code == 200, back.text
    assert back.json() == {"active": first[0], "previous": first[0] + 1, "latest": first[0] + 1}
    await within_a_second(lambda: provider.verifies_only(OLD_SECRET, refused=NEW_SECRET))

    restored = (await api.call("GET", f"{SOURCES}/{source_id}")).json()
    assert (restored["secret_refs"], restored["version"]) == (["signing-old"], 3)
    diff = await api.call("GET", "/versions/diff", params={"from": first[0], "to": first[0] + 1})
    assert diff.status_code == 200, diff.text
    assert diff.json()["changes"] == [
        {
            "kind": "webhook_sources",
            "name": "payments",
            "change": "changed",
            "fields": [
                {"pointer": "/secret_refs/0", "before": "signing-old", "after": "signing-new"}
            ],
        }
    ]


async def test_a_rollback_restores_a_deleted_source_at_its_old_ingress_url(
    api: Api, stack: Stack, http: httpx.AsyncClient
) -> None:
    source = {"name": "orders", "provider": "stripe", "secret_refs": ["signing-old"]}
    created = await api.write("POST", SOURCES, source)
    assert created.status_code == 201, created.text
    source_id = created.json()["id"]
    forward = {"action": "forward", "event_types": ["charge.succeeded"]}
    await bind(api, source_id, forward | {"forward_url": "http://127.0.0.1:9/hooks"})
    provider = Provider(http, stack, source_id)
    assert await provider.deliver(OLD_SECRET) == 200

    deleted = await api.write("DELETE", f"{SOURCES}/{source_id}")
    assert deleted.status_code == 204, deleted.text
    await within_a_second(lambda: provider.answers(OLD_SECRET, 404))
    assert (await numbers(api))[0][1] == "webhook_sources -orders"

    back = await api.write("POST", "/versions/rollback", reason="deleted by mistake")
    assert back.status_code == 200, back.text
    await within_a_second(lambda: provider.answers(OLD_SECRET, 200))
    restored = (await api.call("GET", f"{SOURCES}/{source_id}")).json()
    assert (restored["name"], restored["ingress_path"]) == ("orders", f"/webhooks/{source_id}")
    bindings = (await api.call("GET", f"{SOURCES}/{source_id}/bindings")).json()["items"]
    assert [(b["action"], b["event_types"], b["forward_url"]) for b in bindings] == [
        ("forward", ["charge.succeeded"], "http://127.0.0.1:9/hooks")
    ]
