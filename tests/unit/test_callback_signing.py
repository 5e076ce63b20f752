"""Callbacks are signed in the Standard Webhooks format (docs/protocols.md §1)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from orchestrator.core.callbacks.delivery import build_request, message_id
from orchestrator.core.callbacks.signing import (
    InvalidSecret,
    secret_key,
    sign_headers,
    signature,
    verify,
)
from orchestrator.core.settings import UpstreamSettings
from orchestrator.core.upstream.client import Timeouts
from orchestrator.core.upstream.factory import create_upstream_client

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def headers(sig: str, *, timestamp: int = TIMESTAMP) -> dict[str, str]:
    return {"webhook-id": MSG_ID, "webhook-timestamp": str(timestamp), "webhook-signature": sig}


def test_the_standard_webhooks_vector() -> None:
    assert signature(SECRET, MSG_ID, TIMESTAMP, BODY) == EXPECTED
    assert sign_headers([SECRET], MSG_ID, TIMESTAMP, BODY) == headers(EXPECTED)
    assert verify(SECRET, headers(EXPECTED), BODY, now=TIMESTAMP)


def test_a_wrong_signature_fails() -> None:
    assert not verify(SECRET, headers(EXPECTED[:-4] + "1OA="), BODY, now=TIMESTAMP)
    assert not verify(SECRET, headers(EXPECTED), b'{"test": 2432232315}', now=TIMESTAMP)


def test_one_valid_signature_among_several_passes() -> None:
    assert verify(SECRET, headers(f"v1,bad v2,x {EXPECTED}"), BODY, now=TIMESTAMP)
    assert not verify(SECRET, headers("v1,bad v2,x"), BODY, now=TIMESTAMP)


def test_during_a_rotation_each_secret_signs_and_either_verifies() -> None:
    newer = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    signed = sign_headers([newer, SECRET], MSG_ID, TIMESTAMP, BODY)
    assert signed["webhook-signature"].split(" ") == [
        signature(newer, MSG_ID, TIMESTAMP, BODY),
        EXPECTED,
    ]
    assert verify(newer, signed, BODY, now=TIMESTAMP)
    assert verify(SECRET, signed, BODY, now=TIMESTAMP)
    stranger = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    assert not verify(stranger, signed, BODY, now=TIMESTAMP)


def test_the_timestamp_window_is_300_seconds_both_ways() -> None:
    assert verify(SECRET, headers(EXPECTED), BODY, now=TIMESTAMP + 300)
    assert verify(SECRET, headers(EXPECTED), BODY, now=TIMESTAMP - 300)
    assert not verify(SECRET, headers(EXPECTED), BODY, now=TIMESTAMP + 301)
    assert not verify(SECRET, headers(EXPECTED), BODY, now=TIMESTAMP - 301)


def test_the_key_is_the_base64_decoded_secret_not_the_literal_string() -> None:
    assert secret_key(SECRET) == base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    literal = hmac.new(SECRET.encode(), f"{MSG_ID}.{TIMESTAMP}.".encode() + BODY, hashlib.sha256)
    stripe_style = "v1," + base64.b64encode(literal.digest()).decode()
    assert not verify(SECRET, headers(stripe_style), BODY, now=TIMESTAMP)
    with pytest.raises(InvalidSecret):
        secret_key("whsec_not*base64")


def test_provisioned_secrets_are_whsec_and_base64_of_32_bytes() -> None:
    # The format tenancy provisions (``tenancy/service.py``).
    provisioned = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    assert len(secret_key(provisioned)) == 32


class Receiver:
    """A real HTTP receiver on loopback that checks signatures the way the spec says."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.received: list[tuple[dict[str, str], bytes, bool]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append((got, body, receiver.check(got, body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def check(self, got: dict[str, str], body: bytes) -> bool:
        """Verification written from the spec, independent of our own ``verify``."""
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        signed = f"{got['webhook-id']}.{got['webhook-timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        fresh = abs(time.time() - int(got["webhook-timestamp"])) <= 300
        return fresh and any(
            hmac.compare_digest(part, f"v1,{expected}") for part in got["webhook-signature"].split()
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/orchestrator"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    server = Receiver(secret)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


async def test_a_real_receiver_gets_a_valid_signature(receiver: Receiver) -> None:
    job_id = uuid.uuid4()
    body = json.dumps({"type": "job.succeeded", "data": {"id": str(job_id)}}).encode()
    request = build_request(
        receiver.url, [receiver.secret], message_id(job_id), int(time.time()), body
    )
    client = create_upstream_client(UpstreamSettings(allow_loopback=True))
    try:
        response = await client.request(request, Timeouts(2.0, 5.0, 5.0))
    finally:
        await client.close()
    assert response.status == 204
    await asyncio.sleep(0)
    [(got, received, valid)] = receiver.received
    assert valid, got
    assert received == body
    assert got["webhook-id"] == f"msg_{job_id.hex}"
    assert got["content-type"] == "application/json"
    assert verify(receiver.secret, got, received, now=time.time())
