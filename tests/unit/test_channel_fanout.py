"""The fan-out's SSE framing, done once an event, and the denylist's generation that wakes
streams to verify their tokens again."""

from __future__ import annotations

import uuid

from orchestrator.core.auth.revocation import Denylist
from orchestrator.core.channels.events import DECODER, ENCODER, ChannelEvent
from orchestrator.core.channels.fanout import CLOSED_FRAME, body_of, frame


def test_an_event_is_framed_as_sse_with_its_type_and_its_json_unchanged() -> None:
    event = ChannelEvent(type="action", workspace_id=uuid.uuid4(), action="tests_green", count=3)
    body = ENCODER.encode(event)
    framed = frame(body)
    assert framed == b"event: action\ndata: " + body + b"\n\n"
    assert DECODER.decode(body_of(framed)) == event


def test_a_closed_event_is_recognised_by_its_frame() -> None:
    event = ChannelEvent(type="closed", workspace_id=uuid.uuid4(), closed=["s-1"])
    framed = frame(ENCODER.encode(event))
    assert framed.startswith(CLOSED_FRAME)
    assert DECODER.decode(body_of(framed)).closed == ["s-1"]
    presence = frame(ENCODER.encode(ChannelEvent(type="presence", workspace_id=uuid.uuid4())))
    assert not presence.startswith(CLOSED_FRAME)


def test_the_generation_moves_only_when_something_is_newly_refused() -> None:
    denylist = Denylist()
    denylist.add("jti-1", 100)
    assert denylist.generation == 1
    denylist.add("jti-1", 100)  # the reconcile re-reads recent rows: nothing new
    assert denylist.generation == 1
    denylist.add_subject("op:a", before=10, until=100)
    assert denylist.generation == 2
    denylist.add_subject("op:a", before=10, until=200)  # later expiry, same refusal
    assert denylist.generation == 2
    denylist.add_subject("op:a", before=5, until=100)  # an older message: never shrinks
    assert denylist.generation == 2
    denylist.add_subject("op:a", before=20, until=100)  # refuses more tokens
    assert denylist.generation == 3
