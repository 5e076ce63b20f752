"""An operation's output schema, enforced: a successful answer that does not match it is a
final failure, with the validation errors (ADR 0093).

Only an answer the attempt judged successful is checked: a failure is reported as the
upstream gave it. The failure is final, never retried: asking again would get the same
answer. An operation without an output schema (``{}`` or ``true``) costs nothing here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from orchestrator.core.connectors.public import AttemptResult, instance_errors

OUTPUT_SCHEMA_ERROR = "output_schema"
"""The ``error`` of an attempt whose answer failed its operation's output schema."""
MAX_ERROR_TEXT = 1000
"""The longest summary of the errors a job's ``error`` carries (its column holds 2,000)."""


def accepts_anything(schema: Mapping[str, Any] | bool) -> bool:
    """Whether ``schema`` is the schema every value matches (the default)."""
    return schema is True or (isinstance(schema, Mapping) and not schema)


def summary(errors: list[dict[str, str]]) -> str:
    """``output_schema: <pointer>: <message>; …``, at most ``MAX_ERROR_TEXT`` characters."""
    text = f"{OUTPUT_SCHEMA_ERROR}: " + "; ".join(f"{e['key']}: {e['message']}" for e in errors)
    return text if len(text) <= MAX_ERROR_TEXT else text[: MAX_ERROR_TEXT - 1] + "…"


def conform(schema: Mapping[str, Any] | bool, result: AttemptResult) -> AttemptResult:
    """``result``, or a final failure naming every way its output fails ``schema``."""
    if result.outcome != "succeeded" or accepts_anything(schema):
        return result
    errors = instance_errors(schema, result.output, prefix="/output")
    if not errors:
        return result
    return msgspec.structs.replace(
        result, outcome="failed", error=summary(errors), output_errors=errors
    )
