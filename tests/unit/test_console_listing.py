"""The console's list pages read their filters and cursor from the query as their Listing says."""

from __future__ import annotations

import pytest
from litestar.exceptions import ValidationException

from orchestrator.console.pages.audit import AUDIT
from orchestrator.console.pages.jobs import JOBS


def test_filters_take_their_defaults_and_the_query_overrides_them() -> None:
    filters, cursor = JOBS.chosen({"connector": "crm", "cursor": "abc", "other": "x"})
    assert filters == {
        "status": "dead",
        "connector": "crm",
        "operation": "",
        "since": "",
        "until": "",
    }
    assert cursor == "abc"


def test_a_filter_the_api_names_otherwise_is_renamed_for_the_call_only() -> None:
    filters, _ = AUDIT.chosen({"action": "connector."})
    assert filters["action"] == "connector."
    assert AUDIT.api_filters(filters)["action_prefix"] == "connector."
    assert "action" not in AUDIT.api_filters(filters)


@pytest.mark.parametrize("name", ["target", "cursor"])
def test_a_value_past_the_bound_is_refused(name: str) -> None:
    with pytest.raises(ValidationException, match=name):
        AUDIT.chosen({name: "x" * 201})
    AUDIT.chosen({name: "x" * 200})
