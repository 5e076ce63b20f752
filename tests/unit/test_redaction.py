"""Secrets are scrubbed at the log boundary: shapes of request heads and known values."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from loguru import logger

from orchestrator.core.observability.context import service_var
from orchestrator.core.observability.logging import configure_logging, flush_logs, log_access
from orchestrator.core.observability.redaction import (
    REDACTED,
    KnownSecrets,
    deployment_secrets,
    known_secrets,
    remember_secrets,
    scrub,
)
from orchestrator.core.settings import CoreSettings, ObservabilitySettings

SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"


@pytest.fixture
def clean_known() -> Iterator[None]:
    known_secrets.forget_all()
    yield
    known_secrets.forget_all()


@pytest.mark.parametrize(
    "text",
    [
        f"POST /v1/charges HTTP/1.1\r\nAuthorization: Bearer {SECRET}\r\nHost: x\r\n",
        f"{{'Authorization': 'Bearer {SECRET}', 'Host': 'x'}}",
        f"[(b'authorization', b'Basic {SECRET}'), (b'host', b'x')]",
        f"headers={{'x-api-key': '{SECRET}'}}",
        f"X-Vault-Token: {SECRET}",
        f"could not connect to postgresql://orch:{SECRET}@db:5432/orch",
        f"token is Bearer {SECRET}",
        f"client_secret={SECRET}&grant_type=client_credentials",
        f"signing_secret: {SECRET}",
    ],
)
def test_request_heads_and_credentials_lose_their_values(text: str) -> None:
    scrubbed = scrub(text)
    assert SECRET not in scrubbed
    assert REDACTED in scrubbed


def test_a_unicode_error_repr_of_a_request_head_loses_the_header_value() -> None:
    head = f"GET /x?q=☃ HTTP/1.1\r\nAuthorization: Bearer {SECRET}\r\n\r\n"
    with pytest.raises(UnicodeEncodeError) as caught:
        head.encode("latin-1")
    assert SECRET in repr(caught.value)  # the leak the boundary exists for
    assert SECRET not in scrub(repr(caught.value))


@pytest.mark.usefixtures("clean_known")
def test_a_known_value_is_scrubbed_in_any_form_of_text() -> None:
    bare = "9f86d081884c7d659a2feaa0c55ad015"
    assert scrub(f"illegal header value b'{bare}\\n'") == f"illegal header value b'{bare}\\n'"
    remember_secrets([bare])
    assert scrub(f"illegal header value b'{bare}\\n'") == f"illegal header value b'{REDACTED}\\n'"


@pytest.mark.usefixtures("clean_known")
def test_ordinary_text_is_left_alone() -> None:
    remember_secrets(["abc"])  # too short to tell from ordinary text: not kept
    text = "job 5 attempt 2 failed: upstream answered 503 for /abc in 120 ms"
    assert scrub(text) == text


def test_known_values_are_bounded_most_recent_kept() -> None:
    known = KnownSecrets(limit=2)
    known.remember(["first-secret", "second-secret", "third-secret"])
    assert known.scrub("first-secret second-secret third-secret") == (
        f"first-secret {REDACTED} {REDACTED}"
    )


def test_a_longer_value_containing_a_shorter_one_is_replaced_whole() -> None:
    known = KnownSecrets()
    known.remember(["abcdef", "abcdef-ghijkl"])
    assert known.scrub("x abcdef-ghijkl y") == f"x {REDACTED} y"


def test_deployment_secrets_are_the_keks_and_passwords() -> None:
    settings = CoreSettings.from_env(
        {
            "ORCH_KEK": "a2VrLWtlay1rZWsta2VrLWtlay1rZWsta2VrLWtlay0=",
            "DATABASE_URL": "postgresql://owner:db-owner-pw@h/d",
            "ORCH_DB_APP_PASSWORD": "db-app-pw",
            "REDIS_URL": "redis://:redis-pw@h:6379/0",
        }
    )
    assert set(deployment_secrets(settings)) == {
        "a2VrLWtlay1rZWsta2VrLWtlay1rZWsta2VrLWtlay0=",
        "db-owner-pw",
        "db-app-pw",
        "redis-pw",
    }


@pytest.fixture
def json_logs(clean_known: None) -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(
        ObservabilitySettings.from_env({"ORCH_LOG_JSON": "true", "ORCH_LOG_LEVEL": "DEBUG"}),
        "test",
        secrets=["deployment-kek-value"],
    )
    yield
    logger.remove()
    logger.add(sys.stderr)
    root.handlers[:], root.level = handlers, level


@pytest.mark.usefixtures("json_logs")
def test_logged_exceptions_and_library_lines_are_scrubbed(
    capfd: pytest.CaptureFixture[str],
) -> None:
    remember_secrets([SECRET])
    try:
        f"Authorization: Bearer {SECRET}\r\nX-Key: {SECRET}☃".encode("latin-1")
    except UnicodeEncodeError as exc:
        logger.opt(exception=exc).error("job attempt crashed")
    logging.getLogger("some.library").warning("retrying with %s", "deployment-kek-value")
    logger.bind(route="/x").info("request")
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert [line["msg"] for line in lines] == [
        "job attempt crashed",
        f"retrying with {REDACTED}",
        "request",
    ]
    assert SECRET not in json.dumps(lines)
    assert REDACTED in lines[0]["exception"]


@pytest.mark.usefixtures("json_logs")
def test_a_line_names_the_service_its_context_runs_as(capfd: pytest.CaptureFixture[str]) -> None:
    # One process serving several services (the development stack, ADR 0099).
    def as_exec_api() -> None:
        service_var.set("exec-api")
        logger.info("claimed")
        log_access("GET", "/x", "/x", 200, 1.0)

    contextvars.copy_context().run(as_exec_api)
    logger.info("configured")
    flush_logs()
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert sorted((line["msg"], line["service"]) for line in lines) == [
        ("claimed", "exec-api"),
        ("configured", "test"),
        ("request", "exec-api"),
    ]


def test_every_shape_holds_a_marker_that_lets_the_expression_run() -> None:
    # Each text the expression would change carries one of the markers (so none is missed).
    for text in (
        "Bearer abcdefgh", "BASIC abcdefgh", "token abcdefgh", "Digest abcdefgh",
        "Authorisation: x", "Set-Cookie: x", "APIKEY=x", "x-goog-api-key: x",
        "Ocp-Apim-Subscription-Key: x", "client-secret=x", "PASSWD: x", "pg://u:p@h",
        "orcs_abcdefghijk", "eyJabcdefghi.abcdefghij.abc",
    ):  # fmt: skip
        assert scrub(text) != text, text
