"""An asymmetric token-signing key; the private half is envelope-encrypted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now


class SigningKey(Base):
    """The newest unretired key signs; every key verifies until ``verify_until``."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sealed_private_jwk: Mapped[dict[str, str]] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = server_now()
    retired_at: Mapped[dt.datetime | None] = mapped_column()
    verify_until: Mapped[dt.datetime | None] = mapped_column()
