"""Refactoring does not change the APIs: each service's OpenAPI document equals the one in
``tests/contract/openapi/``, rendered from the code before the change
(``python -m tests.support.openapi tests/contract/openapi`` writes them again, for a
change that means to alter an API)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.support.openapi import SERVICES, dumped, rendered

KEPT = Path(__file__).with_name("openapi")


# Building an app warns of Litestar 3's removals (inferred dependencies); the services,
# outside pytest, only log them.
@pytest.mark.filterwarnings("ignore::litestar.exceptions.LitestarDeprecationWarning")
@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_is_the_one_kept(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The apps read their settings when built; a fixture key, never used to encrypt.
    monkeypatch.setenv("ORCH_KEK", base64.b64encode(bytes(32)).decode())
    kept = json.loads((KEPT / f"{service}.json").read_text())
    now = rendered(service)
    if now != kept:  # the text diff says where, which two nested dicts would not
        assert dumped(now) == dumped(kept)
