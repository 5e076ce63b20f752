"""Reading one sample off a service's Prometheus ``/metrics``."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


async def scrape(http: httpx.AsyncClient, base: str, name: str, **labels: str) -> float | None:
    """The value of sample ``name`` with ``labels`` at ``base``/metrics (None when absent)."""
    text = (await http.get(f"{base}/metrics")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None
