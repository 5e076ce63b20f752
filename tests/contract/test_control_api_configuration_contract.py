"""The control-api's configuration operations keep the promises of its OpenAPI document.

Half of its main schemathesis run (the other half is ``test_control_api_access_contract.py``),
in a file of its own so that ``make test``'s parallel sessions run the halves at once.
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
async def test_the_control_api_configuration_operations_conform_to_its_openapi_document(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, tmp_path: Path
) -> None:
    await run_control_api_contract(
        stack, http, tenant, tmp_path, "--include-path-regex", CONFIGURATION_PATHS
    )
