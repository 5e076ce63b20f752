"""Request and response shapes of the signing secrets area."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec

from orchestrator.core.callbacks.secrets import DEFAULT_GRACE, MAX_GRACE


class SigningSecretOut(msgspec.Struct, frozen=True, kw_only=True):
    """One secret that signs now; ``expires_at`` is set once a newer secret replaced it."""

    id: uuid.UUID
    key: Annotated[
        str,
        msgspec.Meta(
            description="`whsec_` + base64 of 32 random bytes (Standard Webhooks); verify "
            "the `webhook-signature` header of callbacks and forwards with it."
        ),
    ]
    created_at: dt.datetime
    expires_at: dt.datetime | None


class SigningSecretList(msgspec.Struct, frozen=True):
    """The secrets that sign now, the newest first: each message carries a signature by each."""

    items: list[SigningSecretOut]


class SigningSecretRotate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How long the secrets being replaced keep signing beside the new one."""

    grace_period_s: Annotated[
        int,
        msgspec.Meta(
            ge=0,
            le=int(MAX_GRACE.total_seconds()),
            description="0 ends them at once (a leaked secret); the default is a day.",
        ),
    ] = int(DEFAULT_GRACE.total_seconds())
