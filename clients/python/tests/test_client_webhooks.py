"""The callback verifier of the Python client, on the Standard Webhooks test vector."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from orchestrator_client.webhooks import InvalidSignature, verified_json, verify

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def headers(signature: str = SIGNATURE, *, msg_id: str = MSG_ID) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(TIMESTAMP),
        "webhook-signature": signature,
    }


def test_the_published_vector_verifies_with_headers_in_any_case() -> None:
    assert verify(SECRET, headers(), BODY, now=TIMESTAMP)
    upper = {name.title(): value for name, value in headers().items()}
    assert verified_json(SECRET, upper, BODY, now=TIMESTAMP) == {"test": 2432232314}


def test_another_body_id_or_secret_does_not_verify() -> None:
    assert not verify(SECRET, headers(), BODY.replace(b"4}", b"5}"), now=TIMESTAMP)
    assert not verify(SECRET, headers(msg_id="msg_other"), BODY, now=TIMESTAMP)
    other = "whsec_" + base64.b64encode(b"k" * 32).decode()
    assert not verify(other, headers(), BODY, now=TIMESTAMP)
    with pytest.raises(InvalidSignature):
        verified_json(other, headers(), BODY, now=TIMESTAMP)


def test_one_good_signature_among_several_verifies_as_during_a_rotation() -> None:
    assert verify(SECRET, headers(f"v1,bm9wZQ== v2,x {SIGNATURE}"), BODY, now=TIMESTAMP)
    assert not verify(SECRET, headers("v1,bm9wZQ== v2,x"), BODY, now=TIMESTAMP)
    assert not verify(SECRET, headers(SIGNATURE.replace("v1,", "v2,")), BODY, now=TIMESTAMP)


def test_a_stale_or_future_timestamp_is_refused_as_a_replay() -> None:
    assert verify(SECRET, headers(), BODY, now=TIMESTAMP + 300)
    assert not verify(SECRET, headers(), BODY, now=TIMESTAMP + 301)
    assert not verify(SECRET, headers(), BODY, now=TIMESTAMP - 301)
    assert not verify(SECRET, headers(), BODY)  # the clock: years later


def test_missing_headers_do_not_verify_and_a_malformed_secret_is_an_error() -> None:
    assert not verify(SECRET, {}, BODY, now=TIMESTAMP)
    assert not verify(SECRET, {**headers(), "webhook-timestamp": "soon"}, BODY, now=TIMESTAMP)
    with pytest.raises(ValueError, match="whsec_"):
        verify("whsec_not base64!", headers(), BODY, now=TIMESTAMP)


def test_the_signed_bytes_are_id_timestamp_and_raw_body() -> None:
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, f"{MSG_ID}.{TIMESTAMP}.".encode() + BODY, hashlib.sha256).digest()
    assert "v1," + base64.b64encode(mac).decode() == SIGNATURE
