"""A signing key sealed under the previous KEK still opens during a KEK rotation."""

from __future__ import annotations

import secrets

import pytest

from orchestrator.core.auth import keys
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.errors import ConfigurationError
from orchestrator.core.secrets.keyring import KeyRing

OLD = KeyEncryptionKey(id="kek-1", key=secrets.token_bytes(32))
NEW = KeyEncryptionKey(id="kek-2", key=secrets.token_bytes(32))


def test_the_ring_opens_a_key_with_the_kek_it_names() -> None:
    row = keys.generate_signing_key(OLD)
    opened = keys.private_key(row, KeyRing(NEW, OLD))
    assert opened.as_dict(private=False) == keys.private_key(row, OLD).as_dict(private=False)


def test_a_missing_kek_is_a_clear_configuration_error() -> None:
    row = keys.generate_signing_key(OLD)
    with pytest.raises(ConfigurationError, match="ORCH_KEK_PREVIOUS"):
        keys.private_key(row, NEW)
