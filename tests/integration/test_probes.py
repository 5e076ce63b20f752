"""Liveness stays up while readiness reports a missing dependency."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.stack import Service, Stack, free_port, start_service, wait_ready


@pytest.fixture
def exec_api_without_redis(service_env: dict[str, str], signing_key: str) -> Iterator[Service]:
    env = {**service_env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    service = start_service("exec-api-no-redis", "orchestrator.exec_api", env)
    try:
        wait_ready(service, path="/health")
        yield service
    finally:
        service.stop()


def test_ready_is_503_problem_when_redis_is_down_while_health_stays_200(
    exec_api_without_redis: Service,
) -> None:
    base = exec_api_without_redis.url
    assert httpx.get(f"{base}/health").status_code == 200
    ready = httpx.get(f"{base}/ready", timeout=10)
    assert ready.status_code == 503
    assert ready.headers["content-type"].startswith("application/problem+json")
    body = ready.json()
    assert body["status"] == 503
    assert body["database"] is True
    assert body["redis"] is False


def test_every_service_is_ready_with_its_dependencies(stack: Stack) -> None:
    for name, service in stack.services.items():
        base = service.url
        response = httpx.get(f"{base}/ready")
        assert response.status_code == 200, (name, response.text)
        assert response.json()["database"] is True
        assert response.json()["redis"] is True
