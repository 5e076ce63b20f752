"""What a channel's watchers receive: one event shape for every kind of news.

An event exists only in flight (Redis pub/sub, then each watcher's stream); nothing here
is stored. The console and the CLI render ``type``: ``snapshot`` (first, on every
(re)connect: the counters and presence now), ``action`` (someone's canned action or vote,
with the counter after it), ``presence`` (how many sessions are open), ``status`` (the
orchestrator's own canned status, ADR 0104) and ``closed`` (this stream's session ended).
"""

from __future__ import annotations

import enum
import time
import uuid
from typing import Literal

import msgspec

ActorKind = Literal["operator", "guest", "system"]
EventType = Literal["snapshot", "action", "presence", "status", "closed"]


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who acted: an operator's name, a guest's opaque ``guest-NNNN``, or ``system``."""

    kind: ActorKind
    name: str


SYSTEM = Actor(kind="system", name="orchestrator")


class Counter(msgspec.Struct, frozen=True, kw_only=True):
    """How many times an action (or a poll's choice, ``vote:<poll>:<choice>``) was sent
    within the retention window."""

    action: str
    count: int


class StatusKind(enum.StrEnum):
    """The orchestrator's canned statuses (posted by the system, never by a participant)."""

    BREAKER_OPEN = "breaker_open"
    BREAKER_CLOSED = "breaker_closed"
    DLQ_GROWING = "dlq_growing"
    CONFIG_ACTIVATED = "config_activated"
    CONFIG_ROLLED_BACK = "config_rolled_back"
    SUMMARY = "summary"


class ChannelEvent(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One piece of news on a workspace's channel (the SSE ``data:`` of each message)."""

    type: EventType
    workspace_id: uuid.UUID
    at: float = msgspec.field(default_factory=time.time)
    """Unix seconds when the event was made."""
    actor: Actor | None = None
    action: str | None = None
    poll: str | None = None
    choice: str | None = None
    count: int | None = None
    """The action's counter after this one (``action``)."""
    sessions: int | None = None
    """Sessions open on the workspace's channel (``snapshot``, ``presence``)."""
    counters: list[Counter] | None = None
    """Every counter (``snapshot``)."""
    status: StatusKind | None = None
    subject: str | None = None
    """What a status is about: a connector operation, a version number (``status``)."""
    figures: dict[str, int] | None = None
    """Canned figures of a status (a DLQ's depth; a summary's counts)."""
    closed: list[str] | None = None
    """Sessions ended (internal: a stream whose session is listed ends; not sent on)."""


ENCODER = msgspec.json.Encoder()
DECODER = msgspec.json.Decoder(ChannelEvent)
