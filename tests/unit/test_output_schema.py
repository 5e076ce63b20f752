"""An operation's output schema held against an attempt's answer (pure)."""

from __future__ import annotations

from orchestrator.core.connectors.public import AttemptResult
from orchestrator.core.execution.output_schema import (
    MAX_ERROR_TEXT,
    OUTPUT_SCHEMA_ERROR,
    conform,
    summary,
)

CHARGE = {
    "type": "object",
    "required": ["charge_id", "amount"],
    "properties": {"charge_id": {"type": "string"}, "amount": {"type": "integer"}},
}


def succeeded(output: object) -> AttemptResult:
    return AttemptResult(outcome="succeeded", upstream_status=200, output=output)


def test_a_matching_answer_is_left_as_it_is() -> None:
    result = succeeded({"charge_id": "ch_1", "amount": 5})
    assert conform(CHARGE, result) is result


def test_an_answer_that_does_not_match_is_a_final_failure_naming_each_field() -> None:
    checked = conform(CHARGE, succeeded({"amount": "5"}))
    assert checked.outcome == "failed"
    assert checked.upstream_status == 200
    assert checked.output == {"amount": "5"}  # kept as received, for the reader
    assert checked.output_errors is not None
    assert {error["key"] for error in checked.output_errors} == {
        "/output/charge_id",
        "/output/amount",
    }
    assert checked.error is not None
    assert checked.error.startswith(f"{OUTPUT_SCHEMA_ERROR}: ")
    assert "/output/charge_id" in checked.error


def test_failures_and_operations_without_an_output_schema_are_not_checked() -> None:
    failed = AttemptResult(outcome="failed", upstream_status=404, output={"error": "nope"})
    retryable = AttemptResult(outcome="retryable", upstream_status=503, output=None)
    assert conform(CHARGE, failed) is failed
    assert conform(CHARGE, retryable) is retryable
    anything = succeeded("not even an object")
    assert conform({}, anything) is anything
    assert conform(True, anything) is anything


def test_the_summary_a_job_keeps_is_bounded() -> None:
    errors = [{"key": f"/output/{i}", "message": "x" * 100} for i in range(50)]
    text = summary(errors)
    assert len(text) == MAX_ERROR_TEXT
    assert text.endswith("…")
