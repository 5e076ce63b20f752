"""Settings of the control-api, read once per process."""

from __future__ import annotations

import functools
from typing import ClassVar

import msgspec

from orchestrator.core.settings import CoreSettings, HttpSettings


class ControlHttp(HttpSettings, frozen=True, kw_only=True):
    """Where the control-api listens (``ORCH_CONTROL_API_HOST``/``_PORT``)."""

    prefix: ClassVar[str] = "ORCH_CONTROL_API_"
    port: int = 4000


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the control-api reads."""

    core: CoreSettings
    http: ControlHttp


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings(core=CoreSettings.from_env(), http=ControlHttp.from_env())
