"""Put, read, stream and delete sealed payloads in the bucket (ADR 0089, ADR 0112).

boto3 is a blocking client, so every call runs in a worker thread (``asyncio.to_thread``)
together with the sealing or opening of its payload: the event loop neither waits on the
network nor spends a large payload's AES-GCM time. Failures become problem documents: a
store that does not answer is a 503 (``PayloadStoreUnavailable``); an object missing, or
failing its seal or its SHA-256, is a 502 (``PayloadUnreadable``), never served.

``stream`` serves an object segment by segment: its first call (the request, the header,
the first segments) runs before the caller answers anything, so a store that is down is
still a 503; each later read of ``READ_BYTES`` is a call of its own, bounded alike, and a
failure there ends the stream short (the caller's response does not complete).
"""

from __future__ import annotations

import asyncio
import functools
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from loguru import logger

from orchestrator.core.payloads.client import open_client
from orchestrator.core.payloads.errors import PayloadStoreUnavailable, PayloadUnreadable
from orchestrator.core.payloads.layout import (
    Kind,
    call_bound,
    digest,
    goes_to_store,
    object_key,
)
from orchestrator.core.payloads.sealing import ObjectOpener, seal_object
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.settings import PayloadSettings

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client

T = TypeVar("T")
DELETE_BATCH = 1000
"""The most keys one ``DeleteObjects`` call takes (S3's own limit)."""
MISSING_CODES = ("NoSuchKey", "404")
LARGEST = 25 * 1024 * 1024
"""The largest payload bounds a read, whose size is not known before it arrives."""
READ_BYTES = 256 * 1024
"""What one read of a stream takes from the object's body: four 64 KiB segments."""


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
            sealed = seal_object(self._keys.current, data, context=key)
            self._s3().put_object(Bucket=self.settings.bucket, Key=key, Body=sealed)

        await self._call("put", put, size=len(data))
        return StoredPayload(ref=key, sha256=digest(data), size=len(data))

    async def get(self, ref: str, sha256: str, size: int | None = None) -> bytes:
        """The plaintext of the object ``ref``, once its seal and SHA-256 check out."""

        def get() -> bytes:
            # Read as a stream is, so the object's bytes and its plaintext are never both
            # held whole: the plaintext pieces, then their join.
            opener = ObjectOpener(self._keys.get, ref, sha256, size)
            body = self._get_object(ref)
            pieces: list[bytes] = []
            try:
                ended = False
                while not ended:
                    opened, ended = _step(body, opener)
                    pieces += opened
            finally:
                body.close()
            return b"".join(pieces)

        return await self._reading(self._call("get", get, size=LARGEST))

    async def stream(self, ref: str, sha256: str, size: int | None = None) -> AsyncIterator[bytes]:
        """The plaintext of ``ref`` as it is read, each piece verified before it is handed
        over, the last only once the whole matches ``sha256`` and ``size``. Returns once the
        object answered and its first piece opened (``PayloadStoreUnavailable``,
        ``PayloadUnreadable`` raise here); a failure later raises from the iterator."""
        opener = ObjectOpener(self._keys.get, ref, sha256, size)

        def start() -> tuple[StreamingBody, list[bytes], bool]:
            body = self._get_object(ref)
            try:
                first: list[bytes] = []
                ended = False
                while not first and not ended:  # a format-1 object: all of it
                    first, ended = _step(body, opener)
            except BaseException:
                body.close()
                raise
            return body, first, ended

        body, first, ended = await self._reading(self._call("get", start, size=LARGEST))
        return self._rest(ref, body, opener, first, ended)

    async def _rest(
        self,
        ref: str,
        body: StreamingBody,
        opener: ObjectOpener,
        pieces: list[bytes],
        ended: bool,
    ) -> AsyncIterator[bytes]:
        try:
            while True:
                for piece in pieces:
                    yield piece
                if ended:
                    return
                pieces, ended = await self._call(
                    "read", functools.partial(_step, body, opener), size=READ_BYTES
                )
        except PayloadUnreadable as exc:
            # The answer has started: it can only end short. Say why, once, here.
            logger.warning("payload stream of {} ended short: {}", ref, exc.detail)
            raise
        finally:
            body.close()  # a stream left early frees its connection

    def _get_object(self, ref: str) -> StreamingBody:
        from botocore.exceptions import ClientError

        try:
            return self._s3().get_object(Bucket=self.settings.bucket, Key=ref)["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING_CODES:
                raise _Missing(ref) from exc
            raise

    async def _reading(self, call: Awaitable[T]) -> T:
        try:
            return await call
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


def _step(body: StreamingBody, opener: ObjectOpener) -> tuple[list[bytes], bool]:
    """Read the next bytes of ``body`` into ``opener``: the plaintext opened, and whether
    the object ended (its last piece then among them)."""
    chunk = body.read(READ_BYTES)
    if not chunk:
        return [opener.finish()], True
    return opener.feed(chunk), False
