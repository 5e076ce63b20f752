"""The pure routing rules: target choice, binding filters, payload mapping (ADR 0036)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from orchestrator.core.webhooks.pointer import MISSING, resolve
from orchestrator.core.webhooks.routing import (
    Claim,
    Target,
    choose_target,
    job_payload,
    matching,
    most_specific_first,
    takes,
)

RECEIVER = Target(uuid.uuid4(), uuid.uuid4())
SIBLING = Target(uuid.uuid4(), uuid.uuid4())
COUSIN = Target(uuid.uuid4(), uuid.uuid4())
SLACK = most_specific_first("slack")


def test_keys_are_tried_most_specific_first() -> None:
    assert SLACK == ("channel", "api_app_id", "team_id")
    assert most_specific_first("github") == ("repository", "installation_id")
    assert most_specific_first("hmac") == most_specific_first("standard_webhooks") == ()


def test_the_most_specific_claimed_value_wins_over_a_broader_one() -> None:
    event = {"team_id": "T1", "channel": "C2"}
    claims = [Claim("team_id", "T1", SIBLING), Claim("channel", "C2", COUSIN)]
    target = choose_target(SLACK, event, claims, receiver=RECEIVER, receiver_claims_anything=True)
    assert target == COUSIN
    # Only the team is claimed: the broader claim takes it.
    assert (
        choose_target(SLACK, event, claims[:1], receiver=RECEIVER, receiver_claims_anything=True)
        == SIBLING
    )


def test_a_claim_on_another_value_of_the_key_does_not_match() -> None:
    claims = [Claim("channel", "C9", SIBLING)]
    target = choose_target(
        SLACK, {"channel": "C1"}, claims, receiver=RECEIVER, receiver_claims_anything=True
    )
    assert target is None


def test_without_a_match_a_source_claiming_nothing_takes_its_own_events() -> None:
    assert (
        choose_target(
            SLACK, {"channel": "C1"}, [], receiver=RECEIVER, receiver_claims_anything=False
        )
        == RECEIVER
    )
    assert choose_target((), {}, [], receiver=RECEIVER, receiver_claims_anything=False) == RECEIVER


def test_without_a_match_a_source_claiming_something_leaves_the_event_unrouted() -> None:
    assert (
        choose_target(
            SLACK, {"channel": "C1"}, [], receiver=RECEIVER, receiver_claims_anything=True
        )
        is None
    )
    assert choose_target(SLACK, {}, [], receiver=RECEIVER, receiver_claims_anything=True) is None


def test_a_claim_on_a_key_the_event_lacks_is_not_used() -> None:
    claims = [Claim("channel", "C1", SIBLING)]
    assert (
        choose_target(
            SLACK, {"team_id": "T1"}, claims, receiver=RECEIVER, receiver_claims_anything=False
        )
        == RECEIVER
    )


@dataclass
class Binding:
    event_types: list[str] = field(default_factory=list)
    enabled: bool = True
    name: str = ""


def test_bindings_filter_on_event_type_and_enabled() -> None:
    every = Binding(name="every")
    pushes = Binding(["push", "release"], name="pushes")
    off = Binding(enabled=False, name="off")
    bindings = [every, pushes, off]
    assert [b.name for b in matching(bindings, "push")] == ["every", "pushes"]
    assert [b.name for b in matching(bindings, "issues")] == ["every"]
    # An event of no known type is taken only by bindings that name no types.
    assert [b.name for b in matching(bindings, None)] == ["every"]
    assert not takes(Binding(["push"], enabled=False), "push")


EVENT: dict[str, Any] = {
    "type": "event_callback",
    "event": {"channel": "C1", "text": "hi", "files": [{"id": "F0"}, {"id": "F1"}]},
    "a/b": 1,
    "m~n": 2,
    "": "empty key",
    "nothing": None,
}


def test_no_mapping_makes_the_whole_event_the_payload() -> None:
    assert job_payload(None, EVENT) is EVENT


def test_each_mapped_field_takes_what_its_pointer_names() -> None:
    mapping = {
        "channel": "/event/channel",
        "second_file": "/event/files/1/id",
        "slash": "/a~1b",
        "tilde": "/m~0n",
        "whole": "",
        "also_whole": "/",
        "null": "/nothing",
    }
    assert job_payload(mapping, EVENT) == {
        "channel": "C1",
        "second_file": "F1",
        "slash": 1,
        "tilde": 2,
        "whole": EVENT,
        "also_whole": EVENT,
        "null": None,  # a JSON null is a value; only a missing member is left out
    }


@pytest.mark.parametrize(
    "pointer",
    [
        "/missing",
        "/event/missing",
        "/event/files/2/id",
        "/event/files/01/id",
        "/event/files/-",
        "/event/files/x",
        "/event/text/0",
        "/event/channel/deeper",
        "no-slash",
    ],
)
def test_a_pointer_naming_nothing_leaves_its_field_out(pointer: str) -> None:
    assert resolve(EVENT, pointer) is MISSING
    assert job_payload({"x": pointer, "kept": "/type"}, EVENT) == {"kept": "event_callback"}
