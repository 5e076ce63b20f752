"""Where the console goes after a sign-in (credential or single sign-on): its own paths only."""

from __future__ import annotations

import pytest

from orchestrator.console.signin import safe_next


@pytest.mark.parametrize(
    "target",
    ["/w/1/overview", "/w/1/audit?actor=sso:ada&action=operator.create", "/"],
)
def test_a_path_of_the_console_is_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        # Browsers drop tabs and newlines from a URL: these become "//evil.example/".
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/\r/evil.example/",
        "w/1/overview",
    ],
)
def test_anything_that_could_leave_the_console_goes_home(target: str | None) -> None:
    assert safe_next(target) == "/"
