"""A delivery's body, inline in its row or in the payload store (ADR 0089)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from orchestrator.core.payloads.process import Served, read_stored, serve_stored

OCTETS = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+(?:\s*;[\x20-\x7e]*)?", re.ASCII)


class HasBody(Protocol):
    """An inbox or forward row: its inline body, or the reference to a stored one."""

    @property
    def body(self) -> bytes: ...
    @property
    def body_ref(self) -> str | None: ...
    @property
    def body_ref_sha256(self) -> str | None: ...
    @property
    def body_ref_size(self) -> int | None: ...


def body_size(row: HasBody) -> int:
    """The body's size in bytes, wherever it is kept."""
    return len(row.body) if row.body_ref_size is None else row.body_ref_size


async def body_of(row: HasBody) -> bytes:
    """The row's body: inline, or read back from the store and checked against its
    SHA-256 (``PayloadUnreadable`` if it fails, ``PayloadStoreUnavailable`` if the store
    does not answer)."""
    if row.body_ref is None or row.body_ref_sha256 is None:
        return row.body
    return await read_stored(row.body_ref, row.body_ref_sha256, row.body_ref_size)


async def serve_body(row: HasBody) -> Served:
    """The row's body to serve raw: inline, or streamed from the store as each piece is
    verified (a store that does not answer raises here, before anything is sent)."""
    return await serve_stored(row.body, row.body_ref, row.body_ref_sha256, row.body_ref_size)


def body_media_type(headers: Mapping[str, str]) -> str:
    """The media type the delivery declared (its stored ``content-type``), or
    ``application/octet-stream`` when it declared none that reads as one."""
    declared = headers.get("content-type", "").strip()
    return declared if len(declared) <= 200 and _MEDIA_TYPE.fullmatch(declared) else OCTETS
