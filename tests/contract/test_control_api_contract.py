"""The control-api keeps the promises of its OpenAPI document (its main schemathesis run).

In a file of its own: about two minutes, which ``make test``'s parallel sessions run beside
the rest of the contract suite (``test_openapi_contract.py``, which also runs the two
operations that revoke their caller's token, each with a token of its own).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.contract import (
    EVENT_STREAM,
    ROTATION,
    RUN_TIMEOUT_S,
    SIGN_OUT,
    bearer_header,
    run_schemathesis,
)
from tests.support.stack import Stack

pytestmark = pytest.mark.contract


@pytest.mark.timeout(RUN_TIMEOUT_S + 60)  # the run's own bound, above pytest's default 300 s
async def test_the_control_api_conforms_to_its_openapi_document(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, tmp_path: Path
) -> None:
    await run_schemathesis(
        stack.url("control-api"),
        tmp_path,
        "--exclude-path",
        EVENT_STREAM,
        # Each would revoke the run's token, leaving later operations only 401s: they have
        # runs of their own.
        "--exclude-name",
        SIGN_OUT,
        "--exclude-name",
        ROTATION,
        *await bearer_header(http, stack, tenant, "control"),
    )
