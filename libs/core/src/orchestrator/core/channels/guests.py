"""Guests: one-time invites, opaque ``guest-NNNN`` keys and their channel-only tokens.

An invite is ``chi_<workspace>_<invite>_<secret>``: the two ids let the redeeming request
find its row under row-level security (it has no token yet), and only SHA-256 of the
secret is stored. A guest's token is addressed to the ``orchestrator-channel`` audience,
which no other route of any service accepts (ADR 0103), carries the workspace in ``tid``
and the ``channel`` scope, and its ``jti`` names the invite so it can be revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

from orchestrator.core.errors import NotFound

GUEST_SCOPE = "channel"
_INVITE = re.compile(r"chi_([0-9a-f]{32})_([0-9a-f]{32})_([A-Za-z0-9_-]{32,64})")
GUEST = r"^guest-[0-9]{4,6}$"


@dataclass(frozen=True, slots=True)
class InviteSecret:
    """A parsed invite: which workspace and invite it names, and its secret."""

    workspace_id: uuid.UUID
    invite_id: uuid.UUID
    secret: str

    @property
    def text(self) -> str:
        """The invite as given to the guest (once)."""
        return f"chi_{self.workspace_id.hex}_{self.invite_id.hex}_{self.secret}"


def new_invite(workspace_id: uuid.UUID) -> InviteSecret:
    """A fresh invite of ``workspace_id``."""
    return InviteSecret(workspace_id, uuid.uuid4(), secrets.token_urlsafe(32))


def parse_invite(text: str) -> InviteSecret:
    """The invite ``text`` names; 404 when it is not one (no detail on why)."""
    match = _INVITE.fullmatch(text)
    if match is None:
        raise NotFound("No such invite, or it was used, revoked or has expired.")
    return InviteSecret(uuid.UUID(hex=match.group(1)), uuid.UUID(hex=match.group(2)), match[3])


def secret_hash(secret: str) -> bytes:
    """What is stored of an invite's secret."""
    return hashlib.sha256(secret.encode()).digest()


def matches(secret: str, stored: bytes) -> bool:
    """Whether ``secret`` is the one whose hash is ``stored`` (in constant time)."""
    return hmac.compare_digest(secret_hash(secret), stored)


def new_guest_key() -> str:
    """An opaque guest key, ``guest-NNNN`` (unique within a workspace: the caller retries)."""
    return f"guest-{secrets.randbelow(9000) + 1000}"


def guest_jti(invite_id: uuid.UUID) -> str:
    """A guest token's ``jti``: names its invite, so a revocation finds the token."""
    return f"chg.{invite_id.hex}.{secrets.token_urlsafe(12)}"


def invite_of(jti: str) -> uuid.UUID | None:
    """The invite a guest token's ``jti`` names; None when it names none."""
    kind, _, rest = jti.partition(".")
    hex_id = rest.partition(".")[0]
    if kind != "chg" or re.fullmatch(r"[0-9a-f]{32}", hex_id) is None:
        return None
    return uuid.UUID(hex=hex_id)
