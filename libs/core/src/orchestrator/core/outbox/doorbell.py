"""A doorbell per broker queue: idle consumers wait on it instead of polling (ADR 0091).

Dramatiq's Redis consumer, finding its queue empty, sleeps with an exponential backoff of
up to its idle timeout (a second), so a job submitted to an idle worker waited hundreds of
milliseconds for the consumer's next look. Here whoever puts messages on a queue also
pushes tokens on the queue's doorbell list, after the messages, in the same pipeline; an
idle consumer blocks on the list (``BLPOP``) and looks again the moment a token arrives.
Tokens are list items, not pub/sub messages, so a ring between a consumer's empty fetch
and its wait is not lost; the list is trimmed to ``RINGS_KEPT``, so tokens nobody took
cost at most that many needless fetches later.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

RINGS_KEPT = 16
"""Most tokens a doorbell holds: one wakes one consumer, and more than this many consumers
of one queue are rarely idle at once."""


class _Pipeline(Protocol):
    """The two list commands of a redis-py pipeline, sync or asyncio (both queue them)."""

    def rpush(self, name: str, *values: Any) -> Any: ...

    def ltrim(self, name: str, start: int, end: int) -> Any: ...


def doorbell_key(namespace: str, queue: str) -> str:
    """The doorbell list of ``queue`` in a Dramatiq broker ``namespace`` (beside its own
    ``__acks__`` and ``__heartbeats__`` keys, so it cannot be taken for a queue)."""
    return f"{namespace}:__doorbell__.{queue}"


def tokens_for(messages: int) -> int:
    """How many consumers to wake for ``messages`` new messages."""
    return max(0, min(messages, RINGS_KEPT))


def ring(pipeline: _Pipeline, namespace: str, counts: Iterable[tuple[str, int]]) -> None:
    """Queue the rings for ``counts`` (queue, new messages) on ``pipeline``."""
    for queue, messages in counts:
        tokens = tokens_for(messages)
        if tokens:
            key = doorbell_key(namespace, queue)
            pipeline.rpush(key, *([b"1"] * tokens))
            pipeline.ltrim(key, -RINGS_KEPT, -1)
