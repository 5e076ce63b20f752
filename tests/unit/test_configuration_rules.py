"""Pure rules of the configuration plane: ref grammar, field errors, sealing and key rings."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import pytest

from orchestrator.core.configuration.validation import (
    at,
    name_errors,
    normalise_quota,
    normalise_spec,
    nul_errors,
)
from orchestrator.core.configuration.views import changed_fields
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.errors import ConfigurationError
from orchestrator.core.policy.model import PolicySpec, TenantQuota
from orchestrator.core.secrets.keyring import KeyRing, keyring_from
from orchestrator.core.secrets.refs import InvalidRef, ParsedRef, parse_ref
from orchestrator.core.secrets.sealing import CannotOpen, open_value, seal_value
from orchestrator.core.settings import CryptoSettings


@pytest.mark.parametrize(
    ("ref", "parsed"),
    [
        ("env://STRIPE_KEY", ParsedRef(scheme="env", target="STRIPE_KEY")),
        ("db://", ParsedRef(scheme="db")),
        (
            "vault://kv/data/app#token",
            ParsedRef(scheme="vault", target="kv/data/app", field="token"),
        ),
    ],
)
def test_each_scheme_parses(ref: str, parsed: ParsedRef) -> None:
    assert parse_ref(ref) == parsed


@pytest.mark.parametrize(
    "ref",
    ["", "env://", "env://1ABC", "env://A-B", "db://x", "vault://path", "file:///etc", "env://A\n"],
)
def test_anything_else_is_not_a_ref(ref: str) -> None:
    with pytest.raises(InvalidRef):
        parse_ref(ref)


def test_a_policy_is_stored_complete_with_defaults() -> None:
    spec, errors = normalise_spec({"retry": {"max_attempts": 2}}, "/spec")
    assert errors == []
    assert spec is not None
    assert spec["retry"]["max_attempts"] == 2
    assert spec["retry"]["retry_on_status"] == list(PolicySpec().retry.retry_on_status)
    assert normalise_spec(spec, "/spec") == (spec, [])  # normalising is idempotent


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        ({"retry": {"retry_on_status": [200, 99]}}, "/p/retry/retry_on_status/1"),
        ({"timeout": {"connect_s": "2"}}, "/p/timeout/connect_s"),
        ({"a/b": 1}, "/p/a~1b"),
        ([], "/p"),
    ],
)
def test_a_bad_spec_names_the_field_as_a_json_pointer(doc: Any, key: str) -> None:
    spec, errors = normalise_spec(doc, "/p")
    assert spec is None
    assert [e["key"] for e in errors] == [key]


def test_quotas_are_positive_or_unlimited() -> None:
    assert normalise_quota({}, "/q") == (TenantQuota(), [])
    assert normalise_quota({"rps": 0}, "/q")[1] == [
        {"key": "/q/rps", "message": "Expected `int` >= 1"}
    ]


def test_names_are_url_safe() -> None:
    assert name_errors("payments-v2_eu", "/n") == []
    for bad in ("", "Payments", "-x", "a/b", "a b", "x" * 101, "a\n"):
        assert name_errors(bad, "/n"), bad


def test_nul_anywhere_in_a_document_is_found_without_recursion() -> None:
    deep: Any = "ok"
    for _ in range(5000):
        deep = [deep]
    doc = {"a": ["fine", "bad\x00"], "k\x00": 1, "deep": deep}
    assert sorted(e["key"] for e in nul_errors(doc, "/d")) == ["/d/a/1", "/d/k\x00"]


def test_changed_fields_lists_top_level_differences() -> None:
    assert changed_fields(None, {"b": 1, "a": 2}) == ["a", "b"]
    assert changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ["b"]
    assert at("/x", "a~b", 0) == "/x/a~0b/0"


def kek(kek_id: str) -> KeyEncryptionKey:
    return KeyEncryptionKey(id=kek_id, key=secrets.token_bytes(32))


def test_a_value_opens_with_the_kek_it_names_and_only_in_its_row() -> None:
    old, new = kek("old"), kek("new")
    tenant, row = uuid.uuid4(), uuid.uuid4()
    sealed = seal_value(KeyRing(old), tenant_id=tenant, ref_id=row, value="s3cret")
    assert "s3cret" not in str(sealed)
    assert open_value(KeyRing(new, old), sealed, tenant_id=tenant, ref_id=row) == "s3cret"
    with pytest.raises(CannotOpen, match="does not hold"):
        open_value(KeyRing(new), sealed, tenant_id=tenant, ref_id=row)
    with pytest.raises(CannotOpen, match="does not open"):
        open_value(KeyRing(old), sealed, tenant_id=uuid.uuid4(), ref_id=row)


def test_the_ring_comes_from_settings_and_needs_distinct_ids() -> None:
    import base64

    key = base64.b64encode(secrets.token_bytes(32)).decode()
    other = base64.b64encode(secrets.token_bytes(32)).decode()
    ring = keyring_from(
        CryptoSettings.from_env(
            {
                "ORCH_KEK": key,
                "ORCH_KEK_ID": "b",
                "ORCH_KEK_PREVIOUS": other,
                "ORCH_KEK_PREVIOUS_ID": "a",
            }
        )
    )
    assert ring.current.id == "b"
    assert sorted(k.id for k in ring) == ["a", "b"]
    with pytest.raises(ConfigurationError):
        keyring_from(CryptoSettings.from_env({"ORCH_KEK": key, "ORCH_KEK_PREVIOUS": other}))
