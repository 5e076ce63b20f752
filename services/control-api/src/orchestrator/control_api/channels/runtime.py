"""The channel runtime's life in the control-api: opened after the resources, closed before."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from orchestrator.control_api.channels.stream import follow_revocations
from orchestrator.core.channels.service import ChannelRuntime
from orchestrator.core.http.stopping import on_stop
from orchestrator.core.runtime import Resources


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Open the process's channel runtime and follow the channel events of every workspace."""
    resources: Resources = app.state.resources
    runtime = ChannelRuntime(
        resources.redis, resources.settings.redis.namespace, resources.settings.channel
    )
    runtime.hub.start()
    revocations = asyncio.create_task(follow_revocations(resources, runtime.hub))
    forget = on_stop(runtime.hub.end_all)
    app.state.channels = runtime
    try:
        yield
    finally:
        forget()
        revocations.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await revocations
        await runtime.hub.stop()
