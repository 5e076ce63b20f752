"""The ``smtp`` connector type end to end, against a real SMTP server on loopback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from orchestrator.core.connectors.handlers import SendContext
from orchestrator.core.connectors.smtp import sending
from orchestrator.core.connectors.smtp.config import parse_config
from orchestrator.core.connectors.smtp.message import SmtpCall, render
from orchestrator.core.policy.model import RetryPolicy
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.upstream.client import Timeouts, UpstreamRefused
from orchestrator.core.upstream.ssrf import NetworkPolicy
from tests.support.execution import Caller, caller, problem
from tests.support.smtp import SmtpServer, smtp_server
from tests.support.stack import Stack
from tests.support.tls import LoopbackTls, loopback_tls

pytestmark = pytest.mark.integration

FAST_RETRY = {"max_attempts": 3, "base_delay_s": 0.01, "max_delay_s": 0.05}
EMAIL = {
    "to": ["ada@example.org", "grace@example.org"],
    "bcc": ["audit@example.com"],
    "subject": "Your receipt",
    "text": "Thanks for your order.",
    "headers": {"X-Entity-Ref-ID": "order-42"},
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
async def client(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Caller:
    return await caller(http, stack, tenant)


async def add_smtp(
    client: Caller, config: dict[str, Any], policy: dict[str, Any] | None = None
) -> httpx.Response:
    name = f"mail-{uuid.uuid4().hex[:8]}"
    policy_name = await client.policy(policy)
    return await client.operator.write(
        "POST",
        "/connectors",
        {"name": name, "type": "smtp", "config": config, "policy": policy_name},
    )


async def smtp_connector(
    client: Caller, smtp: SmtpServer, policy: dict[str, Any] | None = None
) -> str:
    made = await add_smtp(client, smtp.config(), policy)
    assert made.status_code == 201, made.text
    return str(made.json()["name"])


def header_of(content: bytes, name: str) -> str:
    for line in content.decode("ascii").split("\r\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} header")


# -- the handler alone ---------------------------------------------------------------------


def send_context(
    *, may_repeat: bool, network: NetworkPolicy, key: str | None = None
) -> SendContext:
    return SendContext(
        timeouts=Timeouts(connect_s=2.0, read_s=2.0, total_s=5.0),
        retry=RetryPolicy(),
        may_repeat=may_repeat,
        idempotency_key=key,
        scope="tenant/mail",
        network=network,
    )


async def test_some_refused_recipients_still_succeed_and_are_listed(smtp: SmtpServer) -> None:
    smtp.fail("RCPT", "550 5.1.1 no such mailbox", address="grace@example.org")
    config = parse_config(smtp.config())
    call = render(config, "send_email", EMAIL, {})
    loopback = NetworkPolicy(allow_loopback=True)

    result = await sending.send(call, send_context(may_repeat=False, network=loopback, key="k"))

    assert result.outcome == "succeeded", result
    assert result.output["accepted"] == ["ada@example.org", "audit@example.com"]
    assert result.output["refused"] == {
        "grace@example.org": {"code": 550, "message": "5.1.1 no such mailbox"}
    }
    [received] = smtp.received
    assert received.rcpt_tos == ["ada@example.org", "audit@example.com"]
    assert header_of(received.content, "Message-ID") == result.output["message_id"]


async def test_a_loopback_server_is_refused_before_connecting_when_the_policy_forbids_it(
    smtp: SmtpServer,
) -> None:
    for host in ("127.0.0.1", "localhost"):
        config = parse_config(smtp.config(host=host))
        call = render(config, "send_email", EMAIL, {})
        with pytest.raises(UpstreamRefused):
            await sending.send(call, send_context(may_repeat=True, network=NetworkPolicy()))
    assert smtp.mails == 0


# -- STARTTLS and AUTH ----------------------------------------------------------------------

LOGIN = ("mailer", "test-password")


@pytest.fixture
def tls(tmp_path: Path) -> LoopbackTls:
    return loopback_tls(tmp_path / "tls")


@pytest.fixture
def secure_smtp(tls: LoopbackTls) -> Iterator[SmtpServer]:
    with smtp_server(tls=tls.server, credentials=LOGIN) as server:
        yield server


def login_call(smtp: SmtpServer, password: str) -> SmtpCall:
    config = parse_config(smtp.config(security="starttls"))
    secrets = {"username": LOGIN[0], "password": password}
    return render(config, "send_email", EMAIL, secrets)


async def test_starttls_then_auth_logs_in_over_tls_and_sends(
    secure_smtp: SmtpServer, tls: LoopbackTls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_file))  # the server's CA, trusted
    loopback = NetworkPolicy(allow_loopback=True)
    context = send_context(may_repeat=False, network=loopback, key="k")

    result = await sending.send(login_call(secure_smtp, LOGIN[1]), context)

    assert result.outcome == "succeeded", result
    assert secure_smtp.handler.logins == [("mailer", True)]
    [received] = secure_smtp.received
    assert received.message["Subject"] == "Your receipt"


async def test_a_wrong_password_is_a_final_failure_and_sends_nothing(
    secure_smtp: SmtpServer, tls: LoopbackTls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_file))
    loopback = NetworkPolicy(allow_loopback=True)
    context = send_context(may_repeat=True, network=loopback, key="k")

    result = await sending.send(login_call(secure_smtp, "wrong"), context)

    assert (result.outcome, result.error) == ("failed", "smtp_535"), result
    logins = secure_smtp.handler.logins  # aiosmtplib tries each mechanism offered
    assert logins
    assert set(logins) == {("mailer", True)}
    assert secure_smtp.mails == 0


async def test_a_tls_session_that_times_out_frees_its_socket_at_once(
    tls: LoopbackTls, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A regression: the TLS layer's transport outlived a timed-out session while its socket
    was closed under it, so the next connection given the same descriptor failed."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_file))
    loopback = NetworkPolicy(allow_loopback=True)
    short = SendContext(
        timeouts=Timeouts(connect_s=2.0, read_s=0.3, total_s=5.0),
        retry=RetryPolicy(),
        may_repeat=True,
        idempotency_key="k",
        scope="tenant/mail",
        network=loopback,
    )
    with (
        smtp_server(tls=tls.server, credentials=LOGIN, answer_failed_logins=False) as stalls,
        smtp_server(tls=tls.server, credentials=LOGIN) as answers,
    ):
        for _ in range(3):
            stalled = await sending.send(login_call(stalls, "wrong"), short)
            assert (stalled.outcome, stalled.error) == ("retryable", "timeout"), stalled
            sent = await sending.send(login_call(answers, LOGIN[1]), short)
            assert sent.outcome == "succeeded", sent
        assert len(answers.received) == 3


async def test_an_untrusted_certificate_ends_the_session_before_any_login(
    secure_smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_ca = loopback_tls(tmp_path / "other").ca_file  # not the CA that signed the server
    monkeypatch.setenv("SSL_CERT_FILE", str(other_ca))
    loopback = NetworkPolicy(allow_loopback=True)
    context = send_context(may_repeat=True, network=loopback, key="k")

    result = await sending.send(login_call(secure_smtp, LOGIN[1]), context)

    assert result.outcome != "succeeded", result
    assert secure_smtp.handler.logins == []
    assert secure_smtp.mails == 0


async def test_a_server_without_starttls_gets_no_credentials_in_plain_text(
    smtp: SmtpServer,
) -> None:
    loopback = NetworkPolicy(allow_loopback=True)
    context = send_context(may_repeat=True, network=loopback, key="k")

    result = await sending.send(login_call(smtp, LOGIN[1]), context)

    assert result.outcome != "succeeded", result
    assert smtp.handler.logins == []
    assert smtp.mails == 0


# -- through the control-api and the exec-api ------------------------------------------------


async def test_connector_types_list_smtp_with_its_schemas(client: Caller) -> None:
    response = await client.operator.call("GET", "/connector-types")
    assert response.status_code == 200, response.text
    smtp = {t["name"]: t for t in response.json()["items"]}["smtp"]
    assert smtp["operations_in_config"] is False
    assert set(smtp["config_schema"]["$defs"]["SmtpConfig"]["required"]) == {
        "host",
        "port",
        "from_address",
    }
    assert smtp["secret_schema"]["properties"].keys() == {"username", "password"}
    send = smtp["operations"]["send_email"]
    assert send["idempotent"] is False
    assert send["payload_schema"]["properties"]["to"]["maxItems"] == 50


async def test_an_email_is_sent_and_received_as_the_payload_says(
    client: Caller, smtp: SmtpServer
) -> None:
    connector = await smtp_connector(client, smtp)
    response = await client.execute(connector, EMAIL, operation="send_email")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["attempts"]) == ("succeeded", 1)
    output = body["output"]
    assert output["accepted"] == ["ada@example.org", "grace@example.org", "audit@example.com"]
    assert output["refused"] == {}
    [received] = smtp.received
    assert received.mail_from == "billing@example.com"
    assert received.rcpt_tos == output["accepted"]
    message = received.message
    assert message["From"] == "billing@example.com"
    assert message["To"] == "ada@example.org, grace@example.org"
    assert message["Bcc"] is None
    assert message["Subject"] == "Your receipt"
    assert message["X-Entity-Ref-ID"] == "order-42"
    assert message["Message-ID"] == output["message_id"]
    assert message.get_content().strip() == "Thanks for your order."


async def test_a_permanent_refusal_is_a_502_and_never_retried(
    client: Caller, smtp: SmtpServer
) -> None:
    connector = await smtp_connector(client, smtp, {"retry": FAST_RETRY})
    smtp.fail("RCPT", "550 5.1.1 mailbox unavailable", times=None)
    payload = {"to": ["nobody@example.org"], "subject": "s", "text": "t"}

    body = problem(
        await client.execute(connector, payload, operation="send_email"), 502, "upstream-failed"
    )

    assert body["error"] == "smtp_550", body
    assert body["attempts"] == 1
    assert smtp.mails == 1
    assert smtp.received == []


async def test_a_transient_refusal_after_data_is_not_retried_without_a_key(
    client: Caller, smtp: SmtpServer
) -> None:
    connector = await smtp_connector(client, smtp, {"retry": FAST_RETRY})
    smtp.fail("DATA", "451 4.3.0 try again later", times=1)

    body = problem(
        await client.execute(connector, EMAIL, operation="send_email"), 502, "upstream-failed"
    )

    assert (body["error"], body["attempts"]) == ("smtp_451", 1)
    assert len(smtp.data_attempts) == 1


async def test_a_transient_refusal_before_data_is_retried_even_without_a_key(
    client: Caller, smtp: SmtpServer
) -> None:
    connector = await smtp_connector(client, smtp, {"retry": FAST_RETRY})
    smtp.fail("RCPT", "451 4.3.0 greylisted", times=1)
    payload = {"to": ["ada@example.org"], "subject": "s", "text": "t"}

    response = await client.execute(connector, payload, operation="send_email")

    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["attempts"]) == ("succeeded", 2)
    assert smtp.mails == 2
    assert len(smtp.received) == 1


async def test_a_job_retries_a_transient_failure_with_the_same_message_id(
    client: Caller, smtp: SmtpServer
) -> None:
    connector = await smtp_connector(client, smtp, {"retry": FAST_RETRY})
    smtp.fail("DATA", "451 4.3.0 try again later", times=1)
    job_id = await client.submit_job(connector, "send_email", EMAIL)

    job = await client.finished_job(job_id)

    assert (job["status"], job["attempts"]) == ("succeeded", 2), job
    first, second = smtp.data_attempts
    assert header_of(first, "Message-ID") == header_of(second, "Message-ID")
    assert header_of(second, "Message-ID") == job["output"]["message_id"]
    [received] = smtp.received
    assert received.content == second


async def test_a_metadata_host_is_refused_when_the_connector_is_created(client: Caller) -> None:
    response = await add_smtp(
        client,
        {"host": "169.254.169.254", "port": 25, "security": "none", "from_address": "a@b.io"},
    )
    body = problem(response, 422, "validation-failed")
    assert [e["key"] for e in body["errors"]] == ["/config/host"], body


async def test_a_bad_payload_is_422_before_any_smtp_connection(
    client: Caller, smtp: SmtpServer
) -> None:
    connector = await smtp_connector(client, smtp)
    no_body = {"to": ["ada@example.org"], "subject": "s"}
    bad_address = {"to": ["ada at example.org"], "subject": "s", "text": "t"}

    problem(
        await client.execute(connector, no_body, operation="send_email"), 422, "validation-failed"
    )
    body = problem(
        await client.execute(connector, bad_address, operation="send_email"),
        422,
        "validation-failed",
    )

    assert {e["key"] for e in body["errors"]} == {"/payload/to/0"}
    assert smtp.mails == 0
