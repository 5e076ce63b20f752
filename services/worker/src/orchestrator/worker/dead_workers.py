"""Dead workers' messages go back to their queues within seconds, every time (ADR 0081).

A Dramatiq worker holds the messages it fetched in one set per queue until it acknowledges
them, and writes a heartbeat on every broker command. Dramatiq itself puts a dead worker's
messages back only on a random share of commands (one in a thousand by default), and only
for the queue that command touched, so a killed worker's jobs could wait minutes for it.
Here every worker process, once a second, heartbeats for itself and puts back the messages
of every worker silent for longer than the heartbeat timeout, for every queue this
process consumes (every worker declares the same actors), in one atomic script: two
processes doing it at once requeue each message once.

The keys and their meaning are Dramatiq's Redis broker's own (``dispatch.lua``), as the
outbox publisher's are (``core/outbox/publisher.py``).
"""

from __future__ import annotations

import threading
import time

from loguru import logger

from orchestrator.worker.doorbell_broker import DoorbellRedisBroker

_REQUEUE_DEAD = """
local namespace = KEYS[1]
local now, timeout, self_id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local heartbeats = namespace .. ":__heartbeats__"
redis.call("zadd", heartbeats, now, self_id)
local dead = redis.call("zrangebyscore", heartbeats, 0, now - timeout)
local requeued = 0
for _, worker in ipairs(dead) do
    for i = 4, #ARGV do
        local queue = namespace .. ":" .. ARGV[i]
        local acks = namespace .. ":__acks__." .. worker .. "." .. ARGV[i]
        for _, message_id in ipairs(redis.call("smembers", acks)) do
            if redis.call("hexists", queue .. ".msgs", message_id) == 1 then
                redis.call("rpush", queue, message_id)
                requeued = requeued + 1
            end
        end
        redis.call("del", acks)
    end
    redis.call("zrem", heartbeats, worker)
end
return {#dead, requeued}
"""


class DeadWorkerReaper:
    """Heartbeats for ``broker``'s worker and requeues dead workers' messages, in a thread."""

    def __init__(self, broker: DoorbellRedisBroker, *, every_s: float = 1.0) -> None:
        self._broker = broker
        self._every_s = every_s
        self._script = broker.client.register_script(_REQUEUE_DEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="dead-workers", daemon=True)

    def reap_once(self) -> tuple[int, int]:
        """One pass: how many dead workers were found and how many messages requeued."""
        broker = self._broker
        queues = sorted(broker.get_declared_queues() | broker.get_declared_delay_queues())
        dead, requeued = self._script(
            keys=[broker.namespace],
            args=[int(time.time() * 1000), broker.heartbeat_timeout, broker.broker_id, *queues],
        )
        if requeued:  # idle consumers elsewhere take them now, not after their idle wait
            broker.ring(dict.fromkeys(queues, int(requeued)))
        return int(dead), int(requeued)

    def start(self) -> None:
        """Start in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current pass."""
        self._stop.set()
        self._thread.join(5)

    def _main(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                dead, requeued = self.reap_once()
            except Exception as exc:  # Redis away (or worse): the next pass tries again
                logger.warning("dead workers not looked for: {!r}", exc)
                continue
            # Idle publishers go silent too and are dropped quietly; a worker that died
            # holding messages is worth a line.
            if requeued:
                logger.warning(
                    "{} message(s) of {} silent broker client(s) requeued", requeued, dead
                )
