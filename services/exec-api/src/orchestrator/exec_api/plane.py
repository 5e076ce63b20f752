"""Per-process parts of the jobs plane in the exec-api: wake-ups, the event hub, SSRF policy.

Built on first use from the process's ``Resources``; the hub's task joins
``resources.timers``, so it stops when the resources close at shutdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import State

from orchestrator.core.auth.limits import StreamSlots
from orchestrator.core.events.hub import EventHub
from orchestrator.core.events.wake import Waker
from orchestrator.core.execution.executor import Executor
from orchestrator.core.execution.runtime import ExecutionRuntime
from orchestrator.core.runtime import Resources
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.exec_api.jobs.submitter import JobSubmitter

_STATE_KEY = "jobs_plane"


@dataclass(frozen=True)
class Plane:
    """What the jobs and events controllers share in one process."""

    resources: Resources
    executor: Executor
    """The process's executor (the exec-api always opens the exec plane)."""
    waker: Waker
    hub: EventHub
    network: NetworkPolicy
    submitter: JobSubmitter
    """Group-commits single job submissions."""
    stream_slots: StreamSlots
    """Concurrent SSE streams per token, counted in Redis."""


def plane_of(request: Request[Any, Any, Any]) -> Plane:
    """The process's plane, created on first use."""
    return plane_in(request.app.state)


def plane_in(state: State) -> Plane:
    """The plane kept in an app's ``state``, created on first use."""
    plane: Plane | None = state.get(_STATE_KEY)
    if plane is None:
        resources: Resources = state.resources
        namespace = resources.settings.redis.namespace
        waker = Waker(resources.redis, namespace)
        network = NetworkPolicy.from_settings(resources.settings.upstream)
        execution = resources.execution
        assert isinstance(execution, ExecutionRuntime)
        plane = Plane(
            resources=resources,
            executor=execution.executor,
            waker=waker,
            hub=EventHub(resources.redis, namespace),
            network=network,
            submitter=JobSubmitter(resources.sessions, waker),
            stream_slots=StreamSlots(
                resources.redis,
                namespace,
                per_token=resources.settings.auth.streams_per_token,
            ),
        )
        resources.timers.append(plane.hub.start())
        state[_STATE_KEY] = plane
    return plane


async def provide_plane(request: Request[Any, Any, Any]) -> Plane:
    """Dependency: the process's plane."""
    return plane_of(request)
