"""Settings of the exec-api, read once per process."""

from __future__ import annotations

from typing import ClassVar

from orchestrator.core.settings import CoreSettings, GroupedSettings, HttpSettings


class ExecHttp(HttpSettings, frozen=True, kw_only=True):
    """Where the exec-api listens (``ORCH_EXEC_API_HOST``/``_PORT``)."""

    prefix: ClassVar[str] = "ORCH_EXEC_API_"
    port: int = 4001


class Settings(GroupedSettings, frozen=True, kw_only=True):
    """Everything the exec-api reads."""

    core: CoreSettings
    http: ExecHttp


get_settings = Settings.current
