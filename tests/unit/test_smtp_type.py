"""The ``smtp`` connector type's pure parts: config, payload, message, Message-ID, outcomes."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import msgspec
import pytest

from orchestrator.core.connectors import registry
from orchestrator.core.connectors.handlers import SendContext
from orchestrator.core.connectors.smtp.config import parse_config
from orchestrator.core.connectors.smtp.handler import HANDLER, SMTP_TYPE
from orchestrator.core.connectors.smtp.message import SmtpCall, message_id, render
from orchestrator.core.connectors.smtp.outcomes import (
    Stage,
    breaker_failure,
    lost_outcome,
    refused_outcome,
    reply_outcome,
)
from orchestrator.core.connectors.validation import instance_errors
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.policy.model import RetryPolicy
from orchestrator.core.upstream.client import Timeouts
from orchestrator.core.upstream.ssrf import NetworkPolicy

CONFIG: dict[str, Any] = {
    "host": "smtp.example.com",
    "port": 587,
    "security": "starttls",
    "from_address": "billing@example.com",
    "reply_to": "help@example.com",
}
PAYLOAD: dict[str, Any] = {
    "to": ["ada@example.org"],
    "cc": ["grace@example.org"],
    "bcc": ["audit@example.com"],
    "subject": "Your receipt — №42",
    "text": "Thanks for your order.\n.\nA line that starts with a dot.",
    "html": "<p>Thanks for your <b>order</b>.</p>",
    "headers": {"X-Entity-Ref-ID": "order-42"},
}


def errors_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e["key"]: e["message"] for e in exc.value.extensions["errors"]}


def context(*, may_repeat: bool, retry: RetryPolicy | None = None) -> SendContext:
    return SendContext(
        timeouts=Timeouts(connect_s=1.0, read_s=1.0, total_s=2.0),
        retry=retry or RetryPolicy(),
        may_repeat=may_repeat,
        idempotency_key=None,
        scope="t/c",
        network=NetworkPolicy(),
    )


def parsed(call: SmtpCall) -> EmailMessage:
    message = message_from_bytes(call.data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_config_is_parsed_with_defaults() -> None:
    config = parse_config({"host": "mail.example.com", "port": 465, "from_address": "a@b.io"})
    assert (config.security, config.timeout, config.reply_to) == ("starttls", 30.0, None)
    assert config.domain == "b.io"


def test_every_config_problem_is_listed_under_config() -> None:
    with pytest.raises(ValidationFailed) as exc:
        parse_config(
            {
                "host": "smtp.example.com/x",
                "port": 0,
                "security": "ssl",
                "from_address": "Billing <billing@example.com>",
                "timeout": 0,
                "extra": 1,
            }
        )
    assert set(errors_of(exc)) == {
        "/config/host",
        "/config/port",
        "/config/security",
        "/config/from_address",
        "/config/timeout",
        "/config/extra",
    }


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("169.254.169.254", False),
        ("metadata.google.internal", False),
        ("10.0.0.5", False),
        ("127.0.0.1", False),
        ("smtp.example.com", True),
        ("93.184.216.34", True),
    ],
)
def test_the_host_passes_the_same_address_policy_as_an_http_base_url(
    host: str, allowed: bool
) -> None:
    config = {**CONFIG, "host": host}
    network = NetworkPolicy()
    if allowed:
        registry.validate_connector_config("smtp", config, network=network)
        return
    with pytest.raises(ValidationFailed) as exc:
        registry.validate_connector_config("smtp", config, network=network)
    assert set(errors_of(exc)) == {"/config/host"}


def test_loopback_hosts_are_allowed_only_when_the_deployment_allows_them() -> None:
    config = {**CONFIG, "host": "127.0.0.1"}
    registry.validate_connector_config("smtp", config, network=NetworkPolicy(allow_loopback=True))
    with pytest.raises(ValidationFailed):
        registry.validate_connector_config(
            "smtp", {**config, "host": "169.254.169.254"}, network=NetworkPolicy(True, True)
        )


def test_the_message_carries_what_the_payload_says_and_bcc_only_in_the_envelope() -> None:
    call = render(parse_config(CONFIG), "send_email", PAYLOAD, {})
    message = parsed(call)

    assert call.sender == "billing@example.com"
    assert call.recipients == ("ada@example.org", "grace@example.org", "audit@example.com")
    assert message["From"] == "billing@example.com"
    assert message["To"] == "ada@example.org"
    assert message["Cc"] == "grace@example.org"
    assert message["Reply-To"] == "help@example.com"
    assert message["Bcc"] is None
    assert "audit@example.com" not in call.data.decode("ascii")
    assert message["Subject"] == PAYLOAD["subject"]
    assert message["X-Entity-Ref-ID"] == "order-42"
    assert message["Date"] is not None
    assert message["Message-ID"] is None  # added per attempt by send
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert isinstance(text, EmailMessage)
    assert isinstance(html, EmailMessage)
    assert text.get_content().replace("\r\n", "\n").rstrip("\n") == PAYLOAD["text"]
    assert "<b>order</b>" in html.get_content()
    call.data.decode("ascii")  # 7-bit clean: any server takes it
    assert b"\r\n" in call.data
    assert b"\n" not in call.data.replace(b"\r\n", b"")


@pytest.mark.parametrize("body", [{"text": "hi"}, {"html": "<p>hi</p>"}])
def test_text_or_html_alone_is_a_single_part(body: dict[str, str]) -> None:
    payload = {"to": ["a@example.org"], "subject": "s", **body}
    message = parsed(render(parse_config(CONFIG), "send_email", payload, {}))
    assert not message.is_multipart()
    assert message.get_content_type() == ("text/plain" if "text" in body else "text/html")


@pytest.mark.parametrize(
    ("payload", "keys"),
    [
        ({"to": ["a@example.org"], "subject": "no body"}, {"/payload"}),
        ({"to": [], "subject": "s", "text": "t"}, {"/payload/to"}),
        ({"to": ["a@example.org"] * 51, "subject": "s", "text": "t"}, {"/payload/to"}),
        ({"to": ["not-an-address"], "subject": "s", "text": "t"}, {"/payload/to/0"}),
        ({"to": ["Ada <a@example.org>"], "subject": "s", "text": "t"}, {"/payload/to/0"}),
        ({"to": ["a@example.org"], "cc": ["x@y"], "subject": "s", "text": "t"}, {"/payload/cc/0"}),
        (
            {"to": ["a@example.org"], "subject": "s\r\nBcc: x@evil.io", "text": "t"},
            {"/payload/subject"},
        ),
        (
            {"to": ["a@example.org"], "subject": "s", "text": "t", "headers": {"From": "x@y.io"}},
            {"/payload/headers"},
        ),
        (
            {
                "to": ["a@example.org"],
                "subject": "s",
                "text": "t",
                "headers": {"X-Entity-Ref-ID": "a\nb"},
            },
            {"/payload/headers/X-Entity-Ref-ID"},
        ),
        ({"to": ["a@example.org"], "subject": "s", "text": "t", "attach": 1}, {"/payload/attach"}),
    ],
)
def test_a_bad_payload_is_refused_with_its_field(payload: dict[str, Any], keys: set[str]) -> None:
    operation = SMTP_TYPE.operations["send_email"]
    with pytest.raises(ValidationFailed) as exc:
        render(parse_config(CONFIG), "send_email", payload, {})
    assert set(errors_of(exc)) == keys
    # The executor validates against the same schema before rendering.
    assert {
        e["key"] for e in instance_errors(operation.payload_schema, payload, prefix="/payload")
    } == keys


def test_credentials_come_in_pairs_and_only_over_tls() -> None:
    config = parse_config(CONFIG)
    payload = {"to": ["a@example.org"], "subject": "s", "text": "t"}
    call = render(config, "send_email", payload, {"username": "u", "password": "p"})
    assert (call.username, call.password) == ("u", "p")

    with pytest.raises(ValidationFailed) as exc:
        render(config, "send_email", payload, {"username": "u"})
    assert set(errors_of(exc)) == {"/secrets/password"}
    plain = parse_config({**CONFIG, "security": "none"})
    with pytest.raises(ValidationFailed) as exc:
        render(plain, "send_email", payload, {"username": "u", "password": "p"})
    assert set(errors_of(exc)) == {"/config/security"}


def test_the_message_id_follows_the_key_and_the_tenant_and_connector() -> None:
    call = render(
        parse_config(CONFIG),
        "send_email",
        {"to": ["a@example.org"], "subject": "s", "text": "t"},
        {},
    )
    first = message_id(call, "job-1", "tenant-a/mail")
    assert first == message_id(call, "job-1", "tenant-a/mail")
    assert first.startswith("<")
    assert first.endswith("@example.com>")
    assert first != message_id(call, "job-2", "tenant-a/mail")
    assert first != message_id(call, "job-1", "tenant-b/mail")
    assert message_id(call, None, "tenant-a/mail") == call.fallback_message_id


@pytest.mark.parametrize(
    ("code", "stage", "may_repeat", "outcome"),
    [
        (451, "envelope", False, "retryable"),  # refused before the content: nothing sent
        (421, "connect", False, "retryable"),
        (451, "data", False, "failed"),  # after DATA: only with a key or as a job
        (451, "data", True, "retryable"),
        (550, "envelope", True, "failed"),  # permanent: never retried
        (554, "data", True, "failed"),
        (535, "connect", True, "failed"),  # authentication failed
    ],
)
def test_smtp_replies_map_to_the_executors_outcomes(
    code: int, stage: Stage, may_repeat: bool, outcome: str
) -> None:
    result = reply_outcome(code, "msg", stage, context(may_repeat=may_repeat), duration_ms=1.0)
    assert (result.outcome, result.error, result.upstream_status) == (outcome, f"smtp_{code}", None)
    assert result.output["smtp_code"] == code
    assert breaker_failure(result) is (code < 500)


def test_a_transient_reply_follows_the_policys_rule_for_503() -> None:
    strict = RetryPolicy(retry_on_status=(429,))
    result = reply_outcome(
        451, "m", "envelope", context(may_repeat=True, retry=strict), duration_ms=0
    )
    assert result.outcome == "failed"


def test_a_lost_connection_is_safe_to_retry_only_before_data() -> None:
    before = lost_outcome("connect_error", "connect", context(may_repeat=False), duration_ms=0)
    during = lost_outcome("connect_error", "data", context(may_repeat=False), duration_ms=0)
    keyed = lost_outcome("timeout", "data", context(may_repeat=True), duration_ms=0)
    assert (before.outcome, during.outcome, keyed.outcome) == ("retryable", "failed", "retryable")
    assert breaker_failure(before)
    assert breaker_failure(keyed)


def test_all_recipients_refused_fails_or_retries_by_their_codes() -> None:
    permanent = refused_outcome(
        {"a@x.io": (550, "no"), "b@x.io": (553, "no")}, context(may_repeat=False), duration_ms=0
    )
    assert (permanent.outcome, permanent.error) == ("failed", "smtp_550")
    assert permanent.output["refused"] == {
        "a@x.io": {"code": 550, "message": "no"},
        "b@x.io": {"code": 553, "message": "no"},
    }
    mixed = refused_outcome(
        {"a@x.io": (550, "no"), "b@x.io": (452, "full")}, context(may_repeat=False), duration_ms=0
    )
    assert (mixed.outcome, mixed.error) == ("retryable", "smtp_452")


def test_the_registry_lists_smtp_with_its_schemas_and_a_code_handler() -> None:
    listed = msgspec.json.decode(msgspec.json.encode(registry.get_connector_type("smtp")))
    assert listed["secret_schema"]["properties"].keys() == {"username", "password"}
    send = listed["operations"]["send_email"]
    assert send["idempotent"] is False
    assert send["output_schema"]["required"] == ["message_id", "accepted", "refused"]
    assert registry.operations_of("smtp", CONFIG).keys() == {"send_email"}
    assert registry.required_secrets("smtp", CONFIG) == set()
    assert registry.code_handler("smtp") is HANDLER
    assert registry.code_handler("http") is None
