"""Request and response bodies of the channel routes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec

from orchestrator.core.channels.events import Counter


class SessionOpened(msgspec.Struct, frozen=True, kw_only=True):
    """A new channel session, and the caller's older sessions it closed (past the cap)."""

    id: str
    workspace_id: uuid.UUID
    sequence: int
    """Its place in the workspace's order of openings (a later session has a higher one)."""
    sessions: int
    """Sessions open on the workspace's channel, this one included."""
    closed: list[str]
    idle_timeout_s: float


class CannedAction(msgspec.Struct, frozen=True, kw_only=True):
    """One action of the catalogue: its key and the label a client shows."""

    key: str
    label: str


class PollOut(msgspec.Struct, frozen=True, kw_only=True):
    """A poll: a vote names it and one of its choices."""

    name: str
    choices: list[str]
    created_by: str
    created_at: dt.datetime


class ChannelOut(msgspec.Struct, frozen=True, kw_only=True):
    """A workspace's channel now: what may be sent, the counters, the presence."""

    workspace_id: uuid.UUID
    actions: list[CannedAction]
    polls: list[PollOut]
    counters: list[Counter]
    sessions: int
    keep_days: int


class InviteCreated(msgspec.Struct, frozen=True, kw_only=True):
    """A guest invite: ``invite`` is shown once (only its hash is kept); hand it to the guest."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    guest: str
    invite: str
    expires_at: dt.datetime


class InviteOut(msgspec.Struct, frozen=True, kw_only=True):
    """An invite as an admin sees it later: who it is for and what became of it (no secret)."""

    id: uuid.UUID
    guest: str
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    redeemed_at: dt.datetime | None
    token_expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class InviteList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of invites, oldest first."""

    items: list[InviteOut]
    next_cursor: str | None


class InviteRedeem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The invite a guest was given."""

    invite: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class GuestToken(msgspec.Struct, frozen=True, kw_only=True):
    """A guest's token: the channel of one workspace only, for ``expires_in`` seconds;
    ``POST /api/v1/channel/guest-token/refresh`` swaps it for a new one until
    ``session_ends_at``."""

    access_token: str
    token_type: str
    expires_in: int
    expires_at: int
    scope: str
    subject: str
    workspace_id: uuid.UUID
    session_ends_at: int
    """No refresh gives a token past this (``ORCH_CHANNEL_GUEST_SESSION_MAX_S`` after the
    redeem): then the guest needs a new invite."""


class InviteRevoked(msgspec.Struct, frozen=True, kw_only=True):
    """What a revocation did: the invite can no longer be redeemed, and the guest's token
    (if one was issued and has not expired) is refused by every replica within a second."""

    id: uuid.UUID
    guest: str
    token_revoked: bool
