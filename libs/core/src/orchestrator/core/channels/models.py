"""The channel's tables: counters, operators' polls and guest invites. No message table:
messages exist only in flight (``fanout``)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

# Registers workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk


class ChannelCounter(Base):
    """How many times an action was sent on a workspace's channel on one day (UTC)."""

    __tablename__ = "channel_counters"
    __table_args__ = (CheckConstraint("count >= 0", name="count"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    action: Mapped[str] = mapped_column(String(64), primary_key=True)
    """A canned action's key, or ``vote:<poll>:<choice>``."""
    count: Mapped[int] = mapped_column(BigInteger)


class ChannelPoll(Base):
    """A poll an operator defined: a slug and its fixed choices (slugs)."""

    __tablename__ = "channel_polls"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(24), primary_key=True)
    choices: Mapped[list[str]] = mapped_column(ARRAY(String(24)))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = server_now()


class ChannelInvite(Base):
    """A one-time invitation of a guest to a workspace's channel.

    Only a hash of the invite's secret is kept. The guest is an opaque ``guest-NNNN`` key,
    no personal data; once redeemed, the token's ``jti`` and expiry are kept so an operator
    can revoke it (the denylist): every token a refresh issues keeps that ``jti``."""

    __tablename__ = "channel_invites"
    __table_args__ = (UniqueConstraint("tenant_id", "guest"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    guest: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = server_now()
    expires_at: Mapped[dt.datetime]
    """The invite may be redeemed until then."""
    redeemed_at: Mapped[dt.datetime | None]
    token_jti: Mapped[str | None] = mapped_column(String(64))
    token_expires_at: Mapped[dt.datetime | None]
    """When the latest token of the guest expires (a refresh moves it)."""
    session_ends_at: Mapped[dt.datetime | None]
    """No token of the guest outlives this: fixed at the redeem (``guest_session_max_s``
    then), so a refresh never extends it. None for invites redeemed before refresh existed."""
    revoked_at: Mapped[dt.datetime | None]
