"""The channel's catalogue: only canned actions and votes for a poll's fixed choices."""

from __future__ import annotations

import uuid
from typing import get_args

import msgspec
import pytest

from orchestrator.core.channels.catalogue import (
    ACTIONS,
    VOTE,
    ActionKey,
    ActionRequest,
    PollDefinition,
    check_action,
    check_poll,
)
from orchestrator.core.channels.guests import (
    guest_jti,
    invite_of,
    matches,
    new_invite,
    parse_invite,
    secret_hash,
)
from orchestrator.core.channels.public import crossed
from orchestrator.core.errors import ConfigurationError, NotFound, ValidationFailed
from orchestrator.core.settings import ChannelSettings

POLLS = {"ship": ["today", "tomorrow"]}


def request(action: str, **more: str) -> ActionRequest:
    # Built directly, as a caller in code might: the schema's checks do not run.
    return ActionRequest(session="s", action=action, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_canned_action_counts_under_its_own_key(action: str) -> None:
    assert check_action(request(action), POLLS).counter == action


def test_the_schema_names_exactly_the_catalogue() -> None:
    assert set(get_args(ActionKey)) == {*ACTIONS, VOTE}


def test_a_vote_counts_under_its_poll_and_choice() -> None:
    checked = check_action(request(VOTE, poll="ship", choice="today"), POLLS)
    assert checked.counter == "vote:ship:today"


@pytest.mark.parametrize(
    "sent",
    [
        request("Ship it, I think it's fine"),
        request("READY"),
        request("lgtm"),
        request(VOTE),
        request(VOTE, poll="ship"),
        request(VOTE, poll="ship", choice="next-week"),
        request(VOTE, poll="other", choice="today"),
        request("ready", poll="ship", choice="today"),
    ],
)
def test_anything_but_a_canned_action_is_refused(sent: ActionRequest) -> None:
    with pytest.raises(ValidationFailed):
        check_action(sent, POLLS)


def test_free_text_in_an_unknown_field_does_not_decode() -> None:
    body = b'{"session": "s", "action": "ready", "text": "hello team"}'
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(body, type=ActionRequest)


@pytest.mark.parametrize(
    "poll",
    [
        PollDefinition(name="ship", choices=["a"]),
        PollDefinition(name="ship", choices=["a", "b", "c", "d", "e", "f"]),
        PollDefinition(name="ship", choices=["a", "a"]),
        PollDefinition(name="Ship it?", choices=["a", "b"]),
        PollDefinition(name="ship", choices=["yes please", "no"]),
        PollDefinition(name="ship", choices=["a" * 25, "b"]),
        PollDefinition(name="x" * 25, choices=["a", "b"]),
    ],
)
def test_polls_outside_the_bounds_are_refused(poll: PollDefinition) -> None:
    with pytest.raises(ValidationFailed):
        check_poll(poll)


def test_a_poll_of_slugs_is_accepted() -> None:
    poll = PollDefinition(name="release-train", choices=["go", "no-go", "later"])
    assert check_poll(poll) is poll


def test_an_invite_names_its_workspace_and_keeps_only_a_hash() -> None:
    made = new_invite(uuid.uuid4())
    parsed = parse_invite(made.text)
    assert parsed == made
    assert matches(parsed.secret, secret_hash(made.secret))
    assert not matches(parsed.secret + "x", secret_hash(made.secret))
    with pytest.raises(NotFound):
        parse_invite(made.text[:-40])


@pytest.mark.parametrize("days", [29, 91])
def test_counters_are_kept_between_30_and_90_days(days: int) -> None:
    with pytest.raises(ValueError, match="keep_days"):
        ChannelSettings(keep_days=days)


@pytest.mark.parametrize(
    ("name", "value"),
    [("GUEST_SESSION_MAX_S", "599"), ("GUEST_SESSION_MAX_S", "86401"), ("GUEST_TOKEN_TTL_S", "59")],
)
def test_guest_lifetimes_out_of_range_stop_the_service(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name.lower()):
        ChannelSettings.from_env({f"ORCH_CHANNEL_{name}": value})


def test_a_guest_session_lasts_eight_hours_unless_set() -> None:
    assert ChannelSettings.from_env({}).guest_session_max_s == 8 * 3600
    set_to = {"ORCH_CHANNEL_GUEST_SESSION_MAX_S": "600"}
    assert ChannelSettings.from_env(set_to).guest_session_max_s == 600


def test_a_guest_tokens_jti_names_its_invite_and_nothing_else_does() -> None:
    invite = uuid.uuid4()
    assert invite_of(guest_jti(invite)) == invite
    assert guest_jti(invite) != guest_jti(invite)
    for other in ("", "chg", f"chg.{invite.hex[:-1]}.x", f"imp.{invite.hex}.x", str(invite)):
        assert invite_of(other) is None


@pytest.mark.parametrize(
    ("before", "after", "posted"),
    [(9, 10, True), (0, 12, True), (10, 11, False), (3, 9, False), (10, 10, False)],
)
def test_the_dlq_status_is_posted_when_the_count_reaches_the_threshold(
    before: int, after: int, posted: bool
) -> None:
    assert crossed(before, after, 10) is posted
