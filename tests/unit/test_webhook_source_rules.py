"""The pure rules of webhook sources and bindings."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import pytest

from orchestrator.core.configuration.connector_checks import bound_operation_errors
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks.providers import PROVIDER_NAMES
from orchestrator.core.webhooks.sources import (
    ROUTING_KEY_NAMES,
    ROUTING_KEYS,
    binding_errors,
    ingress_path,
    normalise_options,
    operation_errors,
    routing_errors,
    secret_ref_errors,
)

PUBLIC = NetworkPolicy()


def keys(errors: list[dict[str, str]]) -> list[str]:
    return [e["key"] for e in errors]


def test_the_migration_check_lists_every_provider() -> None:
    migration = importlib.import_module(
        "orchestrator.core.migrations.versions.2026_12_07_webhook_providers"
    )
    assert set(migration.AFTER) == set(PROVIDER_NAMES)


def test_routing_keys_are_those_of_the_provider_table() -> None:
    assert ROUTING_KEYS["slack"] == {"team_id", "api_app_id", "channel"}
    assert ROUTING_KEYS["hmac"] == ROUTING_KEYS["standard_webhooks"] == frozenset()
    assert set(ROUTING_KEY_NAMES) == {
        "account",
        "installation_id",
        "repository",
        "team_id",
        "api_app_id",
        "channel",
        "service_id",
        "shop_domain",
        "alert_source_id",
        "team",
    }


def test_ingress_path_names_the_source() -> None:
    source_id = uuid.uuid4()
    assert ingress_path(source_id) == f"/webhooks/{source_id}"


@pytest.mark.parametrize(
    ("provider", "options", "expected"),
    [
        ("github", {"header": "X-Sig"}, ["/options"]),
        ("hmac", None, ["/options"]),
        ("hmac", {}, ["/options/header"]),
        ("hmac", {"header": "X-Sig", "encoding": "base32"}, ["/options/encoding"]),
        ("hmac", {"header": "X-Sig", "timestamp_header": "X-T"}, ["/options"]),
        ("github", None, []),
    ],
)
def test_options_belong_to_hmac_alone(
    provider: str, options: dict[str, Any] | None, expected: list[str]
) -> None:
    assert keys(normalise_options(provider, options)[1]) == expected


def test_hmac_options_are_stored_complete() -> None:
    stored, errors = normalise_options("hmac", {"header": "X-Sig"})
    assert errors == []
    assert stored is not None
    assert (stored["header"], stored["algorithm"], stored["signed"]) == (
        "X-Sig",
        "sha256",
        "{body}",
    )


def test_routing_keys_must_be_the_providers() -> None:
    assert routing_errors("slack", {"team_id": ["T1"], "channel": ["C1"]}) == []
    assert keys(routing_errors("slack", {"account": ["acct_1"]})) == ["/routing/account"]
    assert keys(routing_errors("hmac", {"team_id": ["T1"]})) == ["/routing/team_id"]


def test_secret_refs_must_exist_once_each() -> None:
    errors = secret_ref_errors(["a", "b", "a", "c"], {"a", "b"})
    assert keys(errors) == ["/secret_refs/2", "/secret_refs/3"]


def job(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "action": "job",
        "connector": "orders",
        "operation": "sync",
        "payload_mapping": {"id": "/data/object/id", "event": "", "all": "/"},
        "forward_url": None,
    }
    return fields | changes


@pytest.mark.parametrize(
    ("binding", "expected"),
    [
        (job(), []),
        (job(payload_mapping=None), []),
        (job(connector=None, operation=None), ["/connector", "/operation"]),
        (job(payload_mapping={"id": "data.id"}), ["/payload_mapping/id"]),
        (job(forward_url="https://example.com"), ["/forward_url"]),
        (
            job(action="forward", forward_url="https://example.com/hook"),
            ["/connector", "/operation", "/payload_mapping"],
        ),
        (
            job(action="forward", connector=None, operation=None, payload_mapping=None),
            ["/forward_url"],
        ),
        (
            job(
                action="forward",
                connector=None,
                operation=None,
                payload_mapping=None,
                forward_url="http://169.254.169.254/latest",
            ),
            ["/forward_url"],
        ),
        (
            job(
                action="forward",
                connector=None,
                operation=None,
                payload_mapping=None,
                forward_url="https://example.com/hook",
            ),
            [],
        ),
    ],
)
def test_a_binding_has_the_fields_of_its_action(
    binding: dict[str, Any], expected: list[str]
) -> None:
    assert keys(binding_errors(**binding, network=PUBLIC)) == expected


def test_a_job_binding_names_an_operation_its_connector_offers() -> None:
    assert operation_errors("orders", "sync", {"sync", "refund"}) == []
    [error] = operation_errors("orders", "Sync", {"sync", "refund"})
    assert error["key"] == "/operation"
    assert error["message"] == (
        "connector `orders` has no operation `Sync`; it has: `refund`, `sync`"
    )
    assert "it has: none" in operation_errors("orders", "sync", set())[0]["message"]


def _http(*operations: str) -> dict[str, Any]:
    return {
        "base_url": "https://api.example.com",
        "operations": {op: {"method": "POST", "path": f"/{op}"} for op in operations},
    }


def test_a_replacement_connector_keeps_every_bound_operation() -> None:
    bound = {"sync": ["github-main", "slack-main"], "refund": ["stripe-main"]}
    assert bound_operation_errors("http", _http("sync", "refund", "new"), bound, at="") == []
    assert bound_operation_errors("http", _http("other"), {}, at="") == []
    errors = bound_operation_errors("http", _http("sync"), bound, at="/connectors/2")
    assert keys(errors) == ["/connectors/2/config/operations/refund"]
    assert "stripe-main" in errors[0]["message"]
    assert keys(bound_operation_errors("http", _http("other"), bound, at="")) == [
        "/config/operations/refund",
        "/config/operations/sync",
    ]
