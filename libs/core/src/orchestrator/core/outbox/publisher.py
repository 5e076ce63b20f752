"""Hand a batch of messages to the Dramatiq broker.

Dramatiq's ``RedisBroker.enqueue`` costs one round trip (a Lua script call) per
message, about 200 µs here; the same script pipelined costs about 30 µs a
message. The pipelined path calls the broker's ``before_enqueue`` and
``after_enqueue`` middleware hooks just as ``enqueue`` does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Protocol

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis


class Publisher(Protocol):
    """Publishes messages, all or (by raising) possibly none."""

    def publish(self, messages: Sequence[dramatiq.Message[Any]]) -> None:
        """Enqueue ``messages``; raise if the broker did not take them."""
        ...


class BrokerPublisher:
    """Publishes through a Dramatiq broker, pipelined when it is the Redis broker."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker

    def publish(self, messages: Sequence[dramatiq.Message[Any]]) -> None:
        """Enqueue ``messages``, in one round trip on Redis."""
        if isinstance(self._broker, RedisBroker):
            self._pipelined(self._broker, messages)
        else:
            for message in messages:
                self._broker.enqueue(message)

    @staticmethod
    def _pipelined(broker: RedisBroker, messages: Sequence[dramatiq.Message[Any]]) -> None:
        # Mirrors RedisBroker.enqueue (dramatiq 2.x) for undelayed messages: a fresh Redis
        # message id each, then the "enqueue" command of its dispatch script.
        dispatch = broker.scripts["dispatch"]
        prepared = [m.copy(options={"redis_message_id": str(uuid.uuid4())}) for m in messages]
        for message in prepared:
            broker.emit_before("enqueue", message, None)
        with broker.client.pipeline(transaction=False) as pipe:
            for message in prepared:
                dispatch(
                    keys=[broker.namespace],
                    args=[
                        "enqueue",
                        current_millis(),
                        message.queue_name,
                        broker.broker_id,
                        broker.heartbeat_timeout,
                        broker.dead_message_ttl,
                        broker._should_do_maintenance("enqueue"),
                        broker._max_unpack_size(),  # type: ignore[no-untyped-call]
                        message.options["redis_message_id"],
                        message.encode(),
                    ],
                    client=pipe,
                )
            pipe.execute()
        for message in prepared:
            broker.emit_after("enqueue", message, None)
