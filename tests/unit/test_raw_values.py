"""Raw reads of stored values (ADR 0112): the media type a webhook body is served as, and
the headers every raw answer carries, whole or streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.response import Stream

from orchestrator.core.http.raw import JSON, raw_response
from orchestrator.core.payloads.process import Served
from orchestrator.core.webhooks.bodies import OCTETS, body_media_type


@pytest.mark.parametrize(
    ("declared", "served"),
    [
        ("application/json", "application/json"),
        ("application/json; charset=utf-8", "application/json; charset=utf-8"),
        ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
        (None, OCTETS),
        ("", OCTETS),
        ("json", OCTETS),
        ("text/html\r\nSet-Cookie: a=b", OCTETS),  # never a header of our own
        ("application/" + "x" * 300, OCTETS),
    ],
)
def test_a_body_is_served_as_the_media_type_it_declared_or_as_bytes(
    declared: str | None, served: str
) -> None:
    headers = {} if declared is None else {"content-type": declared}
    assert body_media_type(headers) == served


async def pieces() -> AsyncIterator[bytes]:
    yield b"{}"


def test_a_raw_answer_declares_its_length_and_is_never_sniffed_or_cached() -> None:
    whole = raw_response(Served.of(b'{"a":1}'), JSON)
    streamed = raw_response(Served(2, pieces()), JSON)
    assert not isinstance(whole, Stream)
    assert isinstance(streamed, Stream)
    for answer, length in ((whole, "7"), (streamed, "2")):
        assert answer.headers["Content-Length"] == length
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "no-store"
        assert "sandbox" in answer.headers["Content-Security-Policy"]
