"""Put, read and delete sealed payloads in the bucket (ADR 0089).

boto3 is a blocking client, so every call runs in a worker thread (``asyncio.to_thread``)
together with the sealing or opening of its payload: the event loop neither waits on the
network nor spends a large payload's AES-GCM time. Failures become problem documents: a
store that does not answer is a 503 (``PayloadStoreUnavailable``); an object missing, or
failing its seal or its SHA-256, is a 502 (``PayloadUnreadable``), never served.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from cryptography.exceptions import InvalidTag
from loguru import logger

from orchestrator.core.crypto.envelope import open_bytes, seal_bytes
from orchestrator.core.payloads.client import open_client
from orchestrator.core.payloads.errors import PayloadStoreUnavailable, PayloadUnreadable
from orchestrator.core.payloads.framing import Unframed, frame, unframe
from orchestrator.core.payloads.layout import (
    Kind,
    call_bound,
    digest,
    goes_to_store,
    object_key,
)
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.settings import PayloadSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

T = TypeVar("T")
DELETE_BATCH = 1000
"""The most keys one ``DeleteObjects`` call takes (S3's own limit)."""
MISSING_CODES = ("NoSuchKey", "404")
LARGEST = 25 * 1024 * 1024
"""The largest payload bounds a read, whose size is not known before it arrives."""


@dataclass(frozen=True, slots=True)
class StoredPayload:
    """What a row keeps of a payload put to the bucket."""

    ref: str
    """The object's key."""
    sha256: str
    """The plaintext's SHA-256 (hex), checked on every read."""
    size: int
    """The plaintext's size in bytes."""


class _Missing(LookupError):
    """The bucket has no object of that key."""


class _Refused(RuntimeError):
    """The store answered a batch delete with errors of its own."""


class PayloadStore:
    """One process's store: the bucket of ``settings``, sealing under ``keys``' current KEK."""

    def __init__(self, settings: PayloadSettings, keys: KeyRing) -> None:
        self.settings = settings
        self._keys = keys
        self._client: S3Client | None = None
        self._lock = threading.Lock()

    def offloads(self, size: int) -> bool:
        """Whether a payload of ``size`` bytes goes to the bucket."""
        return goes_to_store(size, self.settings.threshold_bytes, store_configured=True)

    def key(self, tenant_id: uuid.UUID, kind: Kind, row_id: uuid.UUID) -> str:
        """The object key of one row's payload."""
        return object_key(self.settings.key_prefix, tenant_id, kind, row_id)

    async def put(
        self, tenant_id: uuid.UUID, kind: Kind, row_id: uuid.UUID, data: bytes
    ) -> StoredPayload:
        """Seal ``data`` (bound to its key) and put it; what its row keeps."""
        key = self.key(tenant_id, kind, row_id)

        def put() -> None:
            sealed = frame(seal_bytes(self._keys.current, data, context=key))
            self._s3().put_object(Bucket=self.settings.bucket, Key=key, Body=sealed)

        await self._call("put", put, size=len(data))
        return StoredPayload(ref=key, sha256=digest(data), size=len(data))

    async def get(self, ref: str, sha256: str) -> bytes:
        """The plaintext of the object ``ref``, once its seal and SHA-256 check out."""

        def get() -> bytes:
            from botocore.exceptions import ClientError

            try:
                blob = self._s3().get_object(Bucket=self.settings.bucket, Key=ref)["Body"].read()
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in MISSING_CODES:
                    raise _Missing(ref) from exc
                raise
            return self._open(ref, blob, sha256)

        try:
            return await self._call("get", get, size=LARGEST)
        except _Missing:
            raise PayloadUnreadable("A stored payload is missing from the payload store.") from None

    async def delete(self, refs: Sequence[str]) -> None:
        """Delete the objects ``refs`` (one already gone is no error)."""

        def delete(batch: Sequence[str]) -> None:
            answer = self._s3().delete_objects(
                Bucket=self.settings.bucket,
                Delete={"Objects": [{"Key": ref} for ref in batch], "Quiet": True},
            )
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise _Refused(f"{first.get('Code')}: {first.get('Message')}")

        for start in range(0, len(refs), DELETE_BATCH):
            batch = refs[start : start + DELETE_BATCH]
            await self._call("delete", functools.partial(delete, batch))

    async def delete_workspace(self, tenant_id: uuid.UUID) -> int:
        """Delete every object under the workspace's prefix (deprovisioning, ADR 0100); how
        many went. Listing a page and deleting it again until none is left makes it
        idempotent and resumable."""
        prefix = f"{self.settings.key_prefix}{tenant_id}/"

        def page() -> list[str]:
            answer = self._s3().list_objects_v2(
                Bucket=self.settings.bucket, Prefix=prefix, MaxKeys=DELETE_BATCH
            )
            return [item["Key"] for item in answer.get("Contents", [])]

        total = 0
        while keys := await self._call("list", page):
            await self.delete(keys)
            total += len(keys)
        return total

    async def discard(self, refs: Sequence[str]) -> None:
        """Delete objects no row came to hold, if the store lets us; a failure is only
        logged (the object is an orphan, never read: its key names no row)."""
        try:
            await self.delete(refs)
        except PayloadStoreUnavailable:
            logger.warning("{} payload object(s) left unreferenced in the store", len(refs))

    def _open(self, ref: str, blob: bytes, sha256: str) -> bytes:
        try:
            sealed = unframe(blob)
            kek = self._keys.get(sealed.kek_id)
            if kek is None:
                raise PayloadUnreadable("A stored payload is sealed under a KEK not held here.")
            plaintext = open_bytes(kek, sealed, context=ref)
        except (Unframed, InvalidTag):
            raise PayloadUnreadable("A stored payload fails its seal.") from None
        if digest(plaintext) != sha256:
            raise PayloadUnreadable("A stored payload does not match its SHA-256.")
        return plaintext

    def _s3(self) -> S3Client:
        with self._lock:  # one client, built by the first thread that needs it
            if self._client is None:
                self._client = open_client(self.settings)
            return self._client

    async def _call(self, doing: str, call: Callable[[], T], *, size: int = 0) -> T:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            # The whole call is bounded, whatever botocore does inside it (its retries, an
            # ``Expect: 100-continue`` wait): a store that hangs is given up in time. A
            # call given up runs on in its thread to botocore's own timeouts; a put that
            # lands then leaves an object no row names.
            return await asyncio.wait_for(
                asyncio.to_thread(call), call_bound(self.settings.timeout_s, size)
            )
        except (BotoCoreError, ClientError, _Refused, TimeoutError) as exc:
            # The store's own words: an error code and message, or a connection error;
            # neither carries a credential.
            logger.warning("payload store {} failed: {}", doing, _told(exc))
            raise PayloadStoreUnavailable("The payload store did not answer.") from None


def _told(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        return f"{error.get('Code', '?')}: {error.get('Message', '')}"
    return str(exc) if isinstance(exc, _Refused) else type(exc).__name__
