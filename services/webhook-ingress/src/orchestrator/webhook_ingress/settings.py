"""Settings of the webhook-ingress, read once per process."""

from __future__ import annotations

from typing import Annotated, ClassVar

import msgspec

from orchestrator.core.settings import CoreSettings, GroupedSettings, HttpSettings, SettingsGroup


class IngressHttp(HttpSettings, frozen=True, kw_only=True):
    """Where the webhook-ingress listens (``ORCH_WEBHOOK_INGRESS_HOST``/``_PORT``)."""

    prefix: ClassVar[str] = "ORCH_WEBHOOK_INGRESS_"
    port: int = 4003


class IngressSources(SettingsGroup, frozen=True, kw_only=True):
    """How the ingress keeps webhook sources (``ORCH_WEBHOOK_SOURCE_TTL_S``)."""

    prefix: ClassVar[str] = "ORCH_WEBHOOK_"

    source_ttl_s: Annotated[float, msgspec.Meta(gt=0)] = 5.0
    """How stale a cached source may get if a configuration change notice is missed."""


class Settings(GroupedSettings, frozen=True, kw_only=True):
    """Everything the webhook-ingress reads."""

    core: CoreSettings
    http: IngressHttp
    sources: IngressSources


get_settings = Settings.current
