"""The rest of the control-api's operations keep the promises of its OpenAPI document.

Identities, tokens, operators, webhooks, jobs, the DLQ, audit and the service's own routes:
the half of its main schemathesis run that ``test_control_api_configuration_contract.py``
leaves out.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.contract import CONFIGURATION_PATHS, RUN_TIMEOUT_S, run_control_api_contract
from tests.support.stack import Stack

pytestmark = pytest.mark.contract


@pytest.mark.timeout(RUN_TIMEOUT_S + 60)  # the run's own bound, above pytest's default 300 s
async def test_the_control_api_other_operations_conform_to_its_openapi_document(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, tmp_path: Path
) -> None:
    await run_control_api_contract(
        stack, http, tenant, tmp_path, "--exclude-path-regex", CONFIGURATION_PATHS
    )
