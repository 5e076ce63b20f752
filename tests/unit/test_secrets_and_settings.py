"""Client secrets and typed settings."""

from __future__ import annotations

import base64

import pytest

from orchestrator.core.crypto.secrets import hash_secret, new_client_secret, verify_secret
from orchestrator.core.errors import ConfigurationError
from orchestrator.core.settings import CoreSettings, CryptoSettings, DatabaseSettings


def test_a_secret_verifies_against_its_hash_only() -> None:
    secret = new_client_secret()
    stored = hash_secret(secret)
    assert secret not in stored
    assert verify_secret(secret, stored)
    assert not verify_secret(secret + "x", stored)
    assert new_client_secret() != secret


def test_settings_are_read_from_the_given_environment_with_types() -> None:
    settings = CoreSettings.from_env(
        {
            "DATABASE_URL": "postgresql://o@h/db",
            "ORCH_DB_POOL_SIZE": "3",
            "ORCH_ENVIRONMENT": "prod",
        }
    )
    assert settings.db.pool_size == 3
    assert settings.deployment.environment == "prod"
    assert settings.auth.token_ttl_s == 900


def test_runtime_url_swaps_in_the_runtime_role() -> None:
    db = DatabaseSettings.from_env(
        {"DATABASE_URL": "postgresql://owner:pw@h:5432/db", "ORCH_DB_APP_PASSWORD": "apw"}
    )
    assert db.runtime_url() == "postgresql://orchestrator_app:apw@h:5432/db"
    assert db.owner_url() == "postgresql://owner:pw@h:5432/db"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ORCH_ENVIRONMENT": "staging"}, "DeploymentSettings"),
        ({"ORCH_DB_POOL_SIZE": "many"}, "DatabaseSettings"),
    ],
)
def test_bad_settings_fail_with_a_clear_message(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        CoreSettings.from_env(env)


def test_missing_database_url_and_bad_kek_are_explained() -> None:
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        DatabaseSettings.from_env({}).owner_url()
    with pytest.raises(ConfigurationError, match="32 bytes"):
        CryptoSettings.from_env({"ORCH_KEK": base64.b64encode(b"short").decode()}).kek_bytes()
