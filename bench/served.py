"""What a service says it served: its request-duration histograms from ``/metrics``, read
before and after a run, and the difference per route."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

LATENCY = "orchestrator_http_request_duration_seconds"


Histograms = dict[tuple[str, str, str], float]
"""``(sample suffix, route, le)`` → value, of the GET request-duration histogram."""


async def histograms(http: aiohttp.ClientSession, base: str) -> Histograms:
    """The request-duration histogram of every GET route of the service at ``base``."""
    async with http.get(f"{base}/metrics") as response:
        body = await response.text()
    found: Histograms = {}
    for family in text_string_to_metric_families(body):
        if family.name != LATENCY:
            continue
        for sample in family.samples:
            labels = sample.labels
            if labels.get("method") == "GET" and labels.get("route") != "/metrics":
                kind = sample.name.removeprefix(LATENCY + "_")
                found[(kind, labels["route"], labels.get("le", ""))] = sample.value
    return found


@dataclass(frozen=True)
class Served:
    """What a service's histogram saw of one route over the timed requests."""

    route: str
    count: int
    mean_ms: float
    within_50_ms: int


def served(before: Histograms, after: Histograms) -> list[Served]:
    """Each route answered between ``before`` and ``after``, busiest first."""
    out: list[Served] = []
    for (kind, route, _), value in after.items():
        if kind != "count":
            continue
        count = round(value - before.get((kind, route, ""), 0.0))
        if count <= 0:
            continue
        total = after[("sum", route, "")] - before.get(("sum", route, ""), 0.0)
        fast = ("bucket", route, "0.05")
        within = round(after.get(fast, 0.0) - before.get(fast, 0.0))
        out.append(Served(route, count, total / count * 1000, within))
    return sorted(out, key=lambda s: -s.count)
