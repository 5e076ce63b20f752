"""Services import libs, never each other; libs import no service."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {
    "control_api": ROOT / "services/control-api/src",
    "exec_api": ROOT / "services/exec-api/src",
    "webhook_ingress": ROOT / "services/webhook-ingress/src",
    "worker": ROOT / "services/worker/src",
    "console": ROOT / "services/console/src",
}
FORBIDDEN_FOR_CORE = {*SERVICES, "cli"}


def imported_modules(source_root: Path) -> set[tuple[Path, str]]:
    found: set[tuple[Path, str]] = set()
    for path in source_root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add((path, node.module))
    return found


def orchestrator_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "orchestrator" else None


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_a_service_imports_no_other_service(service: str) -> None:
    others = set(SERVICES) - {service} | {"cli"}
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in imported_modules(SERVICES[service])
        if orchestrator_package(module) in others
    ]
    assert not offending, offending


def test_core_imports_no_service() -> None:
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in imported_modules(ROOT / "libs/core/src")
        if orchestrator_package(module) in FORBIDDEN_FOR_CORE
    ]
    assert not offending, offending


def test_the_checker_sees_imports() -> None:
    # Guard against a checker that silently finds nothing.
    modules = {m for _, m in imported_modules(SERVICES["exec_api"])}
    assert "orchestrator.core.http.app" in modules
