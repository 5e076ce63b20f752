"""The canned actions and operator polls: the only things anyone can say in a channel.

Pure code: what an action request may contain, checked before anything else runs. There
is no free text anywhere: an action is a key of ``ACTIONS``, or a vote for one of a poll's
fixed choices; poll names and choices are short slugs an operator defines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

import msgspec

from orchestrator.core.errors import ValidationFailed

ACTIONS: dict[str, str] = {
    "thumbs_up": "👍",
    "thumbs_down": "👎",
    "ready": "Ready",
    "blocked": "Blocked",
    "review": "Review",
    "deployed": "Deployed",
    "tests_green": "Tests green",
    "ask_status": "status?",
}
"""Every canned action, by key, with the label a client shows."""

VOTE = "vote"
"""The action of a vote in a poll: it names the poll and one of its choices."""

ASK_STATUS = "ask_status"
"""The canned question: the assistant answers it with a canned summary (ADR 0104)."""

ActionKey = Literal[
    "thumbs_up",
    "thumbs_down",
    "ready",
    "blocked",
    "review",
    "deployed",
    "tests_green",
    "ask_status",
    "vote",
]
"""What ``action`` may be, as the API's schema says: a key of ``ACTIONS``, or ``vote``."""

SLUG = r"^[a-z][a-z0-9-]{0,23}$"
"""A poll's name or choice: lower-case letters, digits and dashes, 24 characters at most."""
_SLUG = re.compile(SLUG)
SESSION_ID = r"^[A-Za-z0-9_-]{1,64}$"
"""A session's id, as ``sessions.new_session_id`` makes them."""
MIN_CHOICES, MAX_CHOICES = 2, 5
MAX_POLLS = 20
"""Polls one workspace may define at once."""


class PollDefinition(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A poll an operator defines: a name and its fixed choices (slugs)."""

    name: Annotated[str, msgspec.Meta(pattern=SLUG)]
    choices: Annotated[
        list[Annotated[str, msgspec.Meta(pattern=SLUG)]],
        msgspec.Meta(min_length=MIN_CHOICES, max_length=MAX_CHOICES),
    ]


class ActionRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a participant sends: a canned action, or a vote (``action`` ``vote``, with
    ``poll`` and ``choice``), within an open session of theirs."""

    session: Annotated[str, msgspec.Meta(pattern=SESSION_ID)]
    action: ActionKey
    poll: Annotated[str, msgspec.Meta(pattern=SLUG)] | None = None
    choice: Annotated[str, msgspec.Meta(pattern=SLUG)] | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """A checked action: its counter key, and the poll and choice of a vote."""

    action: str
    poll: str | None = None
    choice: str | None = None

    @property
    def counter(self) -> str:
        """The counter this action adds one to: the action's key, or ``vote:<poll>:<choice>``."""
        if self.poll is None:
            return self.action
        return f"{VOTE}:{self.poll}:{self.choice}"


def refuse(key: str, message: str) -> ValidationFailed:
    """The 422 of a request that is not a canned action."""
    return ValidationFailed(message, errors=[{"key": key, "message": message}])


def check_action(request: ActionRequest, polls: dict[str, list[str]]) -> Action:
    """The action ``request`` names, given the workspace's ``polls`` (name -> choices);
    422 for anything that is not a canned action or a vote for a defined choice."""
    if request.action == VOTE:
        if request.poll is None or request.choice is None:
            raise refuse("poll", "A vote names a `poll` and one of its `choice`s.")
        choices = polls.get(request.poll)
        if choices is None:
            raise refuse("poll", "No such poll in this workspace.")
        if request.choice not in choices:
            raise refuse("choice", "Not one of the poll's choices.")
        return Action(VOTE, request.poll, request.choice)
    if request.action not in ACTIONS:
        raise refuse("action", f"Not a canned action; one of: {', '.join(ACTIONS)}, {VOTE}.")
    if request.poll is not None or request.choice is not None:
        raise refuse("poll", "Only a vote names a poll and a choice.")
    return Action(request.action)


def check_poll(poll: PollDefinition) -> PollDefinition:
    """``poll`` if its name and choices are slugs, 2 to 5 distinct choices; else 422."""
    if not _SLUG.fullmatch(poll.name):
        raise refuse("name", "A poll's name is a slug: a-z, 0-9 and -, 24 characters at most.")
    if not MIN_CHOICES <= len(poll.choices) <= MAX_CHOICES:
        raise refuse("choices", f"A poll has {MIN_CHOICES} to {MAX_CHOICES} choices.")
    if len(set(poll.choices)) != len(poll.choices):
        raise refuse("choices", "A poll's choices are distinct.")
    for choice in poll.choices:
        if not _SLUG.fullmatch(choice):
            raise refuse("choices", "Each choice is a slug: a-z, 0-9 and -, 24 characters at most.")
    return poll
