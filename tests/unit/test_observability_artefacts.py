"""The alert rules and the Grafana dashboard in deploy/ name only metrics the code exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
METRIC = re.compile(r"\borchestrator_[a-z_]+\b")
HISTOGRAM_SERIES = re.compile(r"_(bucket|sum|count)$")
DEFINED = re.compile(r'"(orchestrator_[a-z_]+)"')


def exported() -> set[str]:
    """Every metric name the services define (a quoted ``orchestrator_…`` in their code)."""
    names: set[str] = set()
    for source in [*ROOT.glob("libs/*/src/**/*.py"), *ROOT.glob("services/*/src/**/*.py")]:
        names.update(DEFINED.findall(source.read_text()))
    return names


def referenced(text: str) -> set[str]:
    """The metric names a PromQL text uses, histogram series folded to their metric."""
    return {HISTOGRAM_SERIES.sub("", name) for name in METRIC.findall(text)}


def dashboard_exprs() -> list[str]:
    dashboard = json.loads((ROOT / "deploy/grafana/orchestrator.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_alert_rules_use_only_exported_metrics() -> None:
    rules = (ROOT / "deploy/prometheus/alerts.yml").read_text()
    assert referenced(rules), "no metric found in the rules"
    assert referenced(rules) - exported() == set()


def test_the_dashboard_uses_only_exported_metrics() -> None:
    exprs = dashboard_exprs()
    assert len(exprs) >= 10
    used = set().union(*(referenced(expr) for expr in exprs))
    assert used - exported() == set()


def test_the_depth_gauges_and_the_dlq_are_on_the_dashboard_and_alerted() -> None:
    rules = (ROOT / "deploy/prometheus/alerts.yml").read_text()
    for name in ("orchestrator_jobs", "orchestrator_outbox_unpublished"):
        assert name in referenced(rules)
        assert any(name in referenced(expr) for expr in dashboard_exprs())
