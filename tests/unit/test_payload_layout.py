"""The payload store's pure rules: which payloads go to the bucket, under which key, and
the bytes of a stored object (ADR 0089)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid

import pytest
from cryptography.exceptions import InvalidTag

from orchestrator.core.crypto import envelope
from orchestrator.core.payloads.framing import Unframed, frame, unframe
from orchestrator.core.payloads.layout import (
    THROUGHPUT,
    call_bound,
    digest,
    goes_to_store,
    object_key,
)
from orchestrator.core.settings import PayloadSettings

KEK = envelope.KeyEncryptionKey(id="k1", key=os.urandom(32))
TENANT = uuid.UUID("11111111-2222-3333-4444-555555555555")
ROW = uuid.UUID("66666666-7777-8888-9999-000000000000")


@pytest.mark.parametrize(
    ("size", "configured", "expected"),
    [(1025, True, True), (1024, True, False), (0, True, False), (10**9, False, False)],
)
def test_only_a_payload_past_the_threshold_goes_and_only_to_a_configured_store(
    size: int, configured: bool, expected: bool
) -> None:
    assert goes_to_store(size, 1024, store_configured=configured) is expected


def test_a_key_is_the_prefix_then_the_workspace_then_the_kind_then_the_row() -> None:
    assert object_key("prod/", TENANT, "webhook-body", ROW) == f"prod/{TENANT}/webhook-body/{ROW}"
    assert object_key("", TENANT, "job-result", ROW) == f"{TENANT}/job-result/{ROW}"


def test_a_call_may_take_the_timeout_plus_a_second_per_eight_mib() -> None:
    assert call_bound(2.0, 0) == 2.0
    assert call_bound(2.0, 25 * 1024 * 1024) == pytest.approx(2.0 + 25 / 8)
    assert call_bound(1.0, THROUGHPUT) == 2.0


def test_the_digest_is_the_hex_sha256_of_the_plaintext() -> None:
    assert digest(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_an_object_round_trips_and_holds_no_plaintext() -> None:
    plaintext = b"very secret body " * 100
    sealed = envelope.seal_bytes(KEK, plaintext, context="k/1")
    blob = frame(sealed)
    assert b"very secret body" not in blob
    assert envelope.open_bytes(KEK, unframe(blob), context="k/1") == plaintext
    # Raw ciphertext, not base64: the object is the payload's size plus a small header.
    assert len(blob) - len(plaintext) < 200


def test_an_object_opens_only_under_its_own_key() -> None:
    blob = frame(envelope.seal_bytes(KEK, b"body", context="t/webhook-body/1"))
    with pytest.raises(InvalidTag):
        envelope.open_bytes(KEK, unframe(blob), context="t/webhook-body/2")


@pytest.mark.parametrize("blob", [b"", b"not ours", b"orch-payload/1\n\x00\x00\x00\x05{bad}"])
def test_bytes_that_are_not_a_payload_object_are_refused(blob: bytes) -> None:
    with pytest.raises(Unframed):
        unframe(blob)


def test_no_bucket_no_store() -> None:
    assert not PayloadSettings.from_env({}).enabled
    settings = PayloadSettings.from_env(
        {
            "ORCH_PAYLOAD_BUCKET": "b",
            "ORCH_PAYLOAD_PREFIX": "p/",
            "ORCH_PAYLOAD_THRESHOLD_BYTES": "9",
        }
    )
    assert (settings.enabled, settings.key_prefix, settings.threshold_bytes) == (True, "p/", 9)


def test_a_configured_store_does_not_import_boto3_until_used() -> None:
    code = (
        "import sys\n"
        "from orchestrator.core.settings import CoreSettings\n"
        "from orchestrator.core.payloads.process import configure_payloads\n"
        "import orchestrator.webhook_ingress.app, orchestrator.core.webhooks.router\n"
        "store = configure_payloads(CoreSettings.from_env())\n"
        "assert store is not None\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))\n"
    )
    env = {
        **os.environ,
        "ORCH_PAYLOAD_BUCKET": "bucket",
        "ORCH_KEK": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
