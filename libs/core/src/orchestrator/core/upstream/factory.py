"""Build the process's upstream client from the deployment's settings."""

from __future__ import annotations

from orchestrator.core.settings import UpstreamSettings
from orchestrator.core.upstream.client import UpstreamClient
from orchestrator.core.upstream.lean_client import LeanUpstreamClient
from orchestrator.core.upstream.ssrf import NetworkPolicy


def create_upstream_client(settings: UpstreamSettings) -> UpstreamClient:
    """The pooled upstream client of this process; close it on shutdown."""
    return LeanUpstreamClient(
        NetworkPolicy.from_settings(settings),
        pool_size_per_host=settings.pool_size_per_host,
        keepalive_s=settings.keepalive_s,
        dns_cache_s=settings.dns_cache_s,
        max_response_bytes=settings.max_response_bytes,
    )
