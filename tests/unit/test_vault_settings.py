"""Vault settings and read URLs (core/secrets/vault.py), pure parts."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from orchestrator.core.secrets.refs import REF_PATTERN, InvalidRef, parse_ref
from orchestrator.core.secrets.vault import VaultSettings, VaultUnavailable, data_url, field_of

TENANT = uuid.UUID("00000000-0000-4000-8000-000000000001")


def test_no_address_means_no_vault() -> None:
    assert VaultSettings.from_environ({}) is None
    assert VaultSettings.from_environ({"ORCH_VAULT_TOKEN": "t"}) is None


def test_the_read_url_puts_the_path_under_the_workspace_prefix() -> None:
    settings = VaultSettings.from_environ(
        {"ORCH_VAULT_ADDR": "http://vault:8200/", "ORCH_VAULT_TOKEN": "t"}
    )
    assert settings is not None
    assert data_url(settings, TENANT, "payments/stripe") == (
        f"http://vault:8200/v1/secret/data/orchestrator/{TENANT}/payments/stripe"
    )
    custom = VaultSettings(addr="http://v", token="t", mount="kv", prefix="teams/{tenant_id}")
    assert data_url(custom, TENANT, "a.b") == f"http://v/v1/kv/data/teams/{TENANT}/a.b"
    with pytest.raises(VaultUnavailable, match="will not read `a b`"):
        data_url(custom, TENANT, "a b")  # no segment a server might decode or normalise


def test_a_token_file_is_read_when_no_token_is_given(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s.renewed\n")
    env = {"ORCH_VAULT_ADDR": "http://v", "ORCH_VAULT_TOKEN_FILE": str(token_file)}
    settings = VaultSettings.from_environ(env)
    assert settings is not None
    assert settings.token == "s.renewed"


@pytest.mark.parametrize("path", ["../x", "a/../b", "a/./b", "a//b", "a/", "./a"])
def test_a_vault_path_with_a_relative_or_empty_segment_is_refused(path: str) -> None:
    with pytest.raises(InvalidRef):
        parse_ref(f"vault://{path}#field")
    assert parse_ref("vault://a/b.c/d-e#f").target == "a/b.c/d-e"


def test_a_field_is_text_and_a_missing_one_names_the_path_not_a_value() -> None:
    secret = {"key": "v", "port": 8443, "nested": {"a": 1}}
    assert field_of(secret, "p", "key") == "v"
    assert field_of(secret, "p", "port") == "8443"
    assert field_of(secret, "p", "nested") == '{"a":1}'
    with pytest.raises(VaultUnavailable, match="secret at `p` has no field `nope`"):
        field_of(secret, "p", "nope")


@pytest.mark.parametrize(
    "ref",
    [
        "vault://a/b#f",
        "vault://.a/..b#f",
        "vault://a/#f",
        "vault://a//b#f",
        "vault://../x#f",
        "vault://a/./b#f",
        "vault://-a#f",
        "env://A",
        "db://",
        "env://1A",
    ],
)
def test_the_api_schema_pattern_and_the_parser_agree(ref: str) -> None:
    try:
        parse_ref(ref)
        parsed = True
    except InvalidRef:
        parsed = False
    assert bool(re.match(REF_PATTERN, ref)) is parsed
