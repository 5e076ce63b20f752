"""The console's pure parts of running an operation and of the guided first run."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from orchestrator.console.backend import ExecAnswer
from orchestrator.console.errors import ApiProblem, BadForm
from orchestrator.console.operations import (
    OUTPUT_SHOWN_MAX,
    WAYS,
    Operation,
    how_of,
    operations_of,
    outcome_of,
    request_body,
)
from orchestrator.console.starter import connector_document, policy_document, steps, whole_number
from orchestrator.core.connectors.http.config import HttpConfig
from orchestrator.core.connectors.registry import connector_types
from orchestrator.core.policy.model import PolicySpec

TYPES = [msgspec.to_builtins(t) for t in connector_types().values()]
CHARGE = Operation("billing", "charge", "", {"type": "object"})


def test_an_http_connector_s_operations_come_from_its_config() -> None:
    connector = {
        "name": "billing",
        "type": "http",
        "config": {
            "base_url": "http://127.0.0.1:9",
            "operations": {
                "refund": {"method": "POST", "payload_schema": {"required": ["id"]}},
                "charge": {"method": "POST", "description": "Charge a card."},
            },
        },
    }
    found = operations_of(connector, TYPES)
    assert [op.name for op in found] == ["charge", "refund"]
    assert found[0].description == "Charge a card."
    assert found[0].payload_schema == {"type": "object"}  # the default when none is declared
    assert found[1].payload_schema == {"required": ["id"]}


def test_an_smtp_connector_s_operations_come_from_its_type() -> None:
    smtp = next(t for t in TYPES if t["name"] == "smtp")
    found = operations_of({"name": "mail", "type": "smtp", "config": {}}, TYPES)
    assert [op.name for op in found] == sorted(smtp["operations"])
    assert found
    assert all(op.payload_schema == smtp["operations"][op.name]["payload_schema"] for op in found)


@pytest.mark.parametrize(
    "connector",
    [
        {"name": "x", "type": "no-such-type", "config": {}},
        {"name": "x", "type": "http", "config": {}},
        {"name": "x", "type": "http", "config": {"operations": ["not", "a", "map"]}},
    ],
)
def test_a_connector_without_readable_operations_has_none(connector: dict[str, Any]) -> None:
    assert operations_of(connector, TYPES) == []


def test_each_way_needs_one_scope_and_nothing_else_is_a_way() -> None:
    assert (WAYS["now"].path, WAYS["now"].scope) == ("/execute", "execute")
    assert (WAYS["job"].path, WAYS["job"].scope) == ("/jobs", "jobs:write")
    assert how_of("job") == "job"
    assert how_of("") is None
    assert how_of("JOB") is None
    assert request_body(CHARGE, {"amount": 1}) == {
        "connector": "billing",
        "operation": "charge",
        "payload": {"amount": 1},
    }


def test_a_run_s_answers_read_as_one_line() -> None:
    done = outcome_of(
        CHARGE,
        ExecAnswer(
            200,
            {
                "status": "failed",
                "output": {"e": 1},
                "upstream_status": 402,
                "attempts": 1,
                "duration_ms": 12.4,
            },
            None,
        ),
    )
    assert not done.ok
    assert done.status == 200
    assert (
        done.notice == "billing.charge failed after 1 attempt(s) in 12 ms (upstream answered 402)."
    )
    assert done.output == '{\n  "e": 1\n}'
    queued = outcome_of(CHARGE, ExecAnswer(202, {"id": "j-1", "status": "queued"}, None))
    assert queued.ok
    assert queued.job_id == "j-1"
    assert queued.notice.endswith("queued as job j-1.")
    problem = ApiProblem(status=503, title="Unavailable", detail="breaker open", errors=[])
    refused = outcome_of(CHARGE, ExecAnswer(503, {}, problem))
    assert not refused.ok
    assert refused.status == 502
    assert refused.notice == "billing.charge refused (503): breaker open"


def test_a_long_output_is_cut_and_says_so() -> None:
    body = {"status": "succeeded", "output": "x" * (OUTPUT_SHOWN_MAX * 2), "attempts": 1}
    shown = outcome_of(CHARGE, ExecAnswer(200, body, None)).output
    assert shown is not None
    assert len(shown) < OUTPUT_SHOWN_MAX + 100
    assert shown.endswith("more characters")


def test_the_first_run_s_documents_are_what_the_api_accepts() -> None:
    policy = policy_document("standard", 3, 10, 50)
    spec = msgspec.convert(policy["spec"], PolicySpec)
    assert spec.retry.max_attempts == 3
    assert spec.timeout.total_s == 30
    assert spec.rate_limit is not None
    assert spec.rate_limit.limit == 50
    connector = connector_document("hello", "http://127.0.0.1:4000", "health", "/health", "")
    assert connector["policy"] is None  # the default policy
    config = msgspec.convert(connector["config"], HttpConfig)
    assert config.operations["health"].method == "GET"


def test_a_first_run_number_out_of_bounds_is_refused_by_name() -> None:
    assert whole_number("7", "Attempts", 1, 20) == 7
    for text in ("0", "21", "seven", ""):
        with pytest.raises(BadForm, match="Attempts is a whole number from 1 to 20") as caught:
            whole_number(text, "Attempts", 1, 20)
        assert caught.value.status == 422


def test_the_steps_are_done_in_order_and_the_run_is_never_done() -> None:
    assert [s.done for s in steps(True, False, True)] == [True, False, True, False]
    assert [s.key for s in steps(False, False, False)] == ["policy", "connector", "watch", "run"]
