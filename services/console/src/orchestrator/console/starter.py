"""What the guided first run creates: a policy and an HTTP connector from a handful of
fields, with defaults that work on a fresh ``make run`` (the connector calls the
control-api's own ``/health``). Pure functions: ``pages/first_run.py`` posts them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orchestrator.console.errors import BadForm


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the guided first run, and whether the workspace has done it."""

    key: str
    title: str
    done: bool


def steps(has_policy: bool, has_connector: bool, watching: bool) -> list[Step]:
    """The four steps, in order; the first not done is the one to take."""
    return [
        Step("policy", "Create a policy", has_policy),
        Step("connector", "Create a connector", has_connector),
        Step("watch", "Watch the workspace's events", watching),
        Step("run", "Run an operation as a job", False),
    ]


def whole_number(text: str, name: str, low: int, high: int) -> int:
    """A form's integer within bounds, or a 422 naming the field and its bounds."""
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadForm(f"{name} is a whole number from {low} to {high:,}.", 422)
    return value


def policy_document(name: str, attempts: int, timeout_s: int, per_second: int) -> dict[str, Any]:
    """A policy: retries, one deadline for every attempt together, a rate limit."""
    return {
        "name": name,
        "spec": {
            "retry": {"max_attempts": attempts},
            "timeout": {"read_s": timeout_s, "total_s": timeout_s * attempts},
            "rate_limit": {"limit": per_second},
        },
    }


def connector_document(
    name: str, base_url: str, operation: str, path: str, policy: str
) -> dict[str, Any]:
    """An ``http`` connector with one GET operation under ``policy``."""
    return {
        "name": name,
        "type": "http",
        "policy": policy or None,
        "config": {
            "base_url": base_url,
            "operations": {
                operation: {"method": "GET", "path": path, "description": "Added by the first run."}
            },
        },
    }
