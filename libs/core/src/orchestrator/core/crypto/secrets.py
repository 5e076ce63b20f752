"""Generation and hashing of high-entropy client secrets.

Client secrets are 256-bit random strings, so a fast keyed-free SHA-256 is
enough (no dictionary to attack); a slow password hash would only make the
token endpoint slow. See docs/decisions.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_client_id(prefix: str) -> str:
    """A public client id such as ``svc_3kq…``."""
    return f"{prefix}_{secrets.token_hex(12)}"


def new_client_secret() -> str:
    """A 256-bit client secret."""
    return f"orcs_{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    """The stored form of a client secret."""
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()


def verify_secret(secret: str, stored: str) -> bool:
    """Constant-time comparison of a presented secret with its stored hash."""
    return hmac.compare_digest(hash_secret(secret), stored)
