"""Where a payload goes and what names it: pure rules, tested on their own."""

from __future__ import annotations

import hashlib
import uuid
from typing import Literal

THROUGHPUT = 8 * 1024 * 1024
"""Bytes a second a store is expected to move at least: a call's bound grows with its size."""

Kind = Literal["webhook-body", "forward-body", "job-payload", "job-result"]
"""What an object holds; a part of its key, so one workspace's objects of one kind list
together (and an operator reading the bucket knows what each is)."""


def object_key(prefix: str, tenant_id: uuid.UUID, kind: Kind, row_id: uuid.UUID) -> str:
    """``<prefix><workspace id>/<kind>/<row id>``: each workspace under a prefix of its own,
    so a bucket policy or a lifecycle rule can be scoped to one."""
    return f"{prefix}{tenant_id}/{kind}/{row_id}"


def goes_to_store(size: int, threshold: int, *, store_configured: bool) -> bool:
    """Whether a payload of ``size`` bytes is put to the bucket: only past the threshold
    (one of exactly ``threshold`` bytes stays inline), and only when a store is configured."""
    return store_configured and size > threshold


def digest(data: bytes) -> str:
    """The SHA-256 of a payload's plaintext, in hex, as its row keeps it."""
    return hashlib.sha256(data).hexdigest()


def call_bound(timeout_s: float, size: int) -> float:
    """How long a store call moving ``size`` bytes may take: ``timeout_s`` (the store did
    not answer), plus a second for each ``THROUGHPUT`` bytes (a large payload takes time)."""
    return timeout_s + size / THROUGHPUT
