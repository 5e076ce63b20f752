"""A stream of a stored payload holds a few segments, never the object (ADR 0112): reading a
25 MiB object through ``PayloadStore.stream`` peaks far below its size, where the
whole-value read holds it all (measured with ``tracemalloc``, against moto's server)."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
import uuid

import pytest

from orchestrator.core.payloads.store import LARGEST, PayloadStore
from orchestrator.core.secrets.keyring import keyring_from
from orchestrator.core.settings import CoreSettings, PayloadSettings
from tests.support.s3 import S3Server

pytestmark = pytest.mark.integration
MIB = 1024 * 1024


@pytest.fixture
def store(
    s3_server: S3Server, settings: CoreSettings, monkeypatch: pytest.MonkeyPatch
) -> PayloadStore:
    """A store of this process on a fresh bucket, as a service builds one."""
    for name, value in s3_server.environ().items():
        monkeypatch.setenv(name, value)
    payload = PayloadSettings(
        bucket=s3_server.new_bucket("orch-stream"),
        endpoint_url=s3_server.endpoint_url,
        timeout_s=10,
    )
    return PayloadStore(payload, keyring_from(settings.crypto))


async def peak_of_stream(store: PayloadStore, ref: str, sha256: str, size: int) -> tuple[int, str]:
    """The peak of traced allocations while streaming ``ref``, and the SHA-256 of what came."""
    seen = hashlib.sha256()
    tracemalloc.start()
    try:
        async for piece in await store.stream(ref, sha256, size):
            seen.update(piece)
        return tracemalloc.get_traced_memory()[1], seen.hexdigest()
    finally:
        tracemalloc.stop()


async def test_streaming_a_25_mib_object_peaks_far_below_its_size(store: PayloadStore) -> None:
    data = os.urandom(LARGEST)
    stored = await store.put(uuid.uuid4(), "webhook-body", uuid.uuid4(), data)
    del data  # the object is only in the bucket now
    await store.get(stored.ref, stored.sha256)  # a first read: the client and its pool built

    peak, sha256 = await peak_of_stream(store, stored.ref, stored.sha256, stored.size)
    assert sha256 == stored.sha256  # every byte came, verified
    assert peak < 4 * MIB, peak  # a 256 KiB read and its segments, not 25 MiB

    tracemalloc.start()
    try:
        whole = await store.get(stored.ref, stored.sha256)
        whole_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(whole) == LARGEST
    assert whole_peak > LARGEST  # what streaming saves: the whole read holds it all
