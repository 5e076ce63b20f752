"""Settings of the webhook-ingress, read once per process."""

from __future__ import annotations

import functools
from typing import ClassVar

import msgspec

from orchestrator.core.settings import CoreSettings, HttpSettings


class IngressHttp(HttpSettings, frozen=True, kw_only=True):
    """Where the webhook-ingress listens (``ORCH_WEBHOOK_INGRESS_HOST``/``_PORT``)."""

    prefix: ClassVar[str] = "ORCH_WEBHOOK_INGRESS_"
    port: int = 4003


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the webhook-ingress reads."""

    core: CoreSettings
    http: IngressHttp


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings(core=CoreSettings.from_env(), http=IngressHttp.from_env())
