"""``python -m orchestrator.worker``: run the Dramatiq worker with its probes."""

from __future__ import annotations

import asyncio
import signal
import threading

import psycopg
import redis
import uvloop
from dramatiq import Worker
from dramatiq.asyncio import EventLoopThread, get_event_loop_thread
from loguru import logger
from prometheus_client import REGISTRY

from orchestrator.core.db.engine import BoundedSyncConnection, sync_url
from orchestrator.core.observability.depth import DepthCollector
from orchestrator.core.observability.logging import configure_logging
from orchestrator.core.observability.redaction import deployment_secrets
from orchestrator.core.observability.tracing import configure_tracing
from orchestrator.core.payloads.process import configure_payloads
from orchestrator.core.settings import PROBE_TIMEOUT_S
from orchestrator.worker.actors.deprovision import DeprovisionThread
from orchestrator.worker.actors.job_context import close_job_resources, hand_back_jobs
from orchestrator.worker.actors.job_retention import JOBS_MAINTENANCE
from orchestrator.worker.actors.relay import RelayThread
from orchestrator.worker.actors.retention import PURGE_EXPIRED_REVOCATIONS
from orchestrator.worker.actors.scheduler import SchedulerThread
from orchestrator.worker.broker import build_broker, register_actors
from orchestrator.worker.closing import CloseOnShutdown
from orchestrator.worker.context import close_worker_context
from orchestrator.worker.dead_workers import DeadWorkerReaper
from orchestrator.worker.health import start_health_server
from orchestrator.worker.settings import get_settings


def connect(query_timeout_s: float | None = None) -> psycopg.Connection:
    """A new connection as the runtime role (for the probes and the depth gauges), each of
    its round trips bounded (``ORCH_DB_QUERY_TIMEOUT_S`` unless ``query_timeout_s``)."""
    db = get_settings().core.db
    url = sync_url(db.runtime_url()).replace("postgresql+psycopg", "postgresql")
    bounded = BoundedSyncConnection.bounded(query_timeout_s or db.query_timeout_s)
    return bounded.connect(url, connect_timeout=db.connect_timeout_s)


def readiness() -> dict[str, bool]:
    """Whether PostgreSQL (as the runtime role) and Redis answer."""
    core = get_settings().core
    state = {"database": True, "redis": True}
    try:
        with connect(PROBE_TIMEOUT_S) as conn:
            conn.execute("SELECT 1")
    except Exception:
        state["database"] = False
    try:
        redis.Redis.from_url(core.redis.require_url(), **core.redis.client_options()).ping()
    except Exception:
        state["redis"] = False
    return state


HAND_BACK_S = 5.0
"""How long handing back the running jobs may take once the grace period is over."""


def hand_back(loop_thread: EventLoopThread | None) -> None:
    """Stop the attempts still running, their jobs handed back to other workers."""
    if loop_thread is None:
        return
    stopped = loop_thread.run_coroutine(hand_back_jobs())
    if stopped:
        logger.warning("{} running job(s) handed back to other workers", stopped)


def main() -> None:
    """Consume every queue until SIGINT or SIGTERM, then let the running jobs finish within
    ``ORCH_WORKER_STOP_GRACE_S``, handing back those that do not (ADR 0081)."""
    settings = get_settings()
    # Every event loop of the process (the actors', the relay's and each chore's) on
    # uvloop: a job's wake-ups and round trips cost about a fifth less CPU (ADR 0111).
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    configure_logging(settings.core.log, "worker", secrets=deployment_secrets(settings.core))
    configure_tracing(settings.core.tracing, "worker")
    configure_payloads(settings.core)
    broker = build_broker(
        settings.core.redis,
        heartbeat_timeout_s=settings.worker.broker_heartbeat_timeout_s,
        maintenance_chance=settings.worker.broker_maintenance_chance,
    )
    actors = register_actors(broker)
    # After AsyncIO: its loop is still running when these close what the actors opened.
    broker.add_middleware(CloseOnShutdown(close_job_resources, close_worker_context))
    REGISTRY.register(DepthCollector(connect, min_interval_s=settings.worker.depth_interval_s))
    health = start_health_server(settings.worker.host, settings.worker.port, readiness)
    worker = Worker(broker, worker_threads=settings.worker.threads)
    worker.start()
    reaper = DeadWorkerReaper(broker, every_s=settings.worker.dead_worker_scan_s)
    reaper.start()
    relay = RelayThread(settings, broker) if settings.jobs.relay else None
    if relay is not None:
        relay.start()
    scheduler = SchedulerThread(settings) if settings.jobs.scheduler else None
    if scheduler is not None:
        scheduler.start()
    deprovision = DeprovisionThread(settings) if settings.deprovision.enabled else None
    if deprovision is not None:
        deprovision.start()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    logger.info("worker consuming {} actors; probes on :{}", len(actors), settings.worker.port)
    while not stop.is_set():
        # Several replicas may each enqueue these: the purges are idempotent.
        try:
            actors[PURGE_EXPIRED_REVOCATIONS].send()
            actors[JOBS_MAINTENANCE].send()
        except Exception as exc:  # Redis away: try again next interval, keep serving
            logger.warning("retention not scheduled: {!r}", exc)
        stop.wait(settings.worker.retention_interval_s)
    grace_s = settings.worker.stop_grace_s
    logger.info("worker stopping: running jobs have {:g} s to finish", grace_s)
    if scheduler is not None:
        scheduler.stop()
    if deprovision is not None:
        deprovision.stop()
    loop_thread = get_event_loop_thread()
    out_of_time = threading.Timer(grace_s, hand_back, args=(loop_thread,))
    out_of_time.start()
    # Waits for the running messages (their attempts finish, or are handed back when the
    # grace ends); the prefetched ones go back to their queues.
    worker.stop(timeout=round((grace_s + HAND_BACK_S) * 1000))
    out_of_time.cancel()
    if relay is not None:  # after the attempts: what they wrote on ending goes out
        relay.stop()
    reaper.stop()
    broker.close()
    health.shutdown()


if __name__ == "__main__":
    main()
