"""The ``stripe`` connector type's pure parts: config, form encoding, calls, keys, outcomes."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from orchestrator.core.connectors import registry
from orchestrator.core.connectors.stripe.calls import attempt_request, idempotency_key, render
from orchestrator.core.connectors.stripe.config import DEFAULT_API_VERSION, parse_config
from orchestrator.core.connectors.stripe.forms import encode_form, form_pairs
from orchestrator.core.connectors.stripe.handler import HANDLER, STRIPE_TYPE
from orchestrator.core.connectors.stripe.outcomes import (
    answer_outcome,
    breaker_failure,
    lost_outcome,
    retry_status,
)
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.policy.model import RetryPolicy
from orchestrator.core.upstream.client import (
    UpstreamBadResponse,
    UpstreamConnectError,
    UpstreamResponse,
    UpstreamTimeout,
)
from orchestrator.core.upstream.ssrf import NetworkPolicy

KEY = {"api_key": "sk_test_unit"}
CONFIG = parse_config({"base_url": "https://stripe.example.com"})


def errors_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e["key"]: e["message"] for e in exc.value.extensions["errors"]}


# -- config ---------------------------------------------------------------------------------


def test_an_empty_config_pins_the_default_version_and_stripes_own_origin() -> None:
    config = parse_config({})
    assert config.api_version == DEFAULT_API_VERSION
    assert config.base_url == "https://api.stripe.com"


def test_a_config_lists_every_problem_at_once() -> None:
    with pytest.raises(ValidationFailed) as exc:
        parse_config({"api_version": "latest", "base_url": "https://x.io/v1", "extra": 1})
    assert set(errors_of(exc)) >= {"/config/api_version", "/config/base_url"}


def test_a_forbidden_base_url_is_refused_by_the_address_policy() -> None:
    config = parse_config({"base_url": "http://169.254.169.254"})
    with pytest.raises(ValidationFailed) as exc:
        HANDLER.check_network(config, NetworkPolicy())
    assert list(errors_of(exc)) == ["/config/base_url"]
    HANDLER.check_network(parse_config({}), NetworkPolicy())  # Stripe's own: fine


def test_the_registry_knows_the_type_its_schemas_and_its_secret() -> None:
    assert registry.connector_types()["stripe"] is STRIPE_TYPE
    assert registry.code_handler("stripe") is HANDLER
    assert registry.required_secrets("stripe", {}) == {"api_key"}
    operations = registry.operations_of("stripe", {})
    assert {"create_customer", "create_payment_intent", "create_refund"} <= set(operations)
    assert operations["get_customer"].payload_schema["required"] == ["id"]


# -- form encoding --------------------------------------------------------------------------


def test_nested_parameters_are_flattened_as_stripe_expects() -> None:
    params = {
        "amount": 1200,
        "confirm": True,
        "metadata": {"order": "42", "note": "a&b=c"},
        "items": [{"price": "price_1", "quantity": 2}],
        "expand": ["customer"],
        "description": None,
    }
    assert form_pairs(params) == [
        ("amount", "1200"),
        ("confirm", "true"),
        ("metadata[order]", "42"),
        ("metadata[note]", "a&b=c"),
        ("items[0][price]", "price_1"),
        ("items[0][quantity]", "2"),
        ("expand[0]", "customer"),
        ("description", ""),
    ]
    assert parse_qsl(encode_form(params), keep_blank_values=True) == form_pairs(params)


# -- calls ----------------------------------------------------------------------------------


def test_a_write_is_a_form_post_with_the_key_version_and_idempotency_key() -> None:
    payload = {"amount": 500, "currency": "eur", "metadata": {"order": "42"}}
    call = render(CONFIG, "create_payment_intent", payload, KEY)
    request = attempt_request(call, "caller-key", "tenant/pay")

    assert (request.method, request.url) == (
        "POST",
        "https://stripe.example.com/v1/payment_intents",
    )
    assert request.headers["Authorization"] == "Bearer sk_test_unit"
    assert request.headers["Stripe-Version"] == DEFAULT_API_VERSION
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.body == b"amount=500&currency=eur&metadata%5Border%5D=42"
    assert (
        request.headers["Idempotency-Key"]
        == attempt_request(call, "caller-key", "tenant/pay").headers["Idempotency-Key"]
    )


def test_a_read_puts_its_id_in_the_path_and_parameters_in_the_query() -> None:
    call = render(CONFIG, "get_customer", {"id": "cus_1", "expand": ["default_source"]}, KEY)
    request = attempt_request(call, "k", "t/c")
    assert (
        request.url == "https://stripe.example.com/v1/customers/cus_1?expand%5B0%5D=default_source"
    )
    assert request.body is None
    assert "Idempotency-Key" not in request.headers  # Stripe ignores one on GET and DELETE


def test_the_idempotency_key_is_stable_per_key_and_apart_per_scope() -> None:
    call = render(CONFIG, "create_customer", {"email": "a@b.io"}, KEY)
    one = idempotency_key(call, "job-1", "tenant-a/stripe")
    assert one == idempotency_key(call, "job-1", "tenant-a/stripe")
    assert one != idempotency_key(call, "job-1", "tenant-b/stripe")
    assert one != idempotency_key(call, "job-2", "tenant-a/stripe")
    # Without a key of its own, every attempt of one call still sends one key.
    assert idempotency_key(call, None, "t/c") == call.fallback_key
    assert render(CONFIG, "create_customer", {}, KEY).fallback_key != call.fallback_key


def test_the_api_key_is_never_in_a_calls_repr() -> None:
    call = render(CONFIG, "create_customer", {}, KEY)
    assert "sk_test_unit" not in repr(call)


@pytest.mark.parametrize(
    ("operation", "payload", "secrets", "key"),
    [
        ("create_payment_intent", {"amount": 0, "currency": "eur"}, KEY, "/payload/amount"),
        ("create_refund", {"amount": 5}, KEY, "/payload"),
        ("get_customer", {"id": "../admin"}, KEY, "/payload/id"),
        ("create_customer", {}, {}, "/secrets/api_key"),
        ("create_customer", {}, {"api_key": "sk_test\r\nX-Evil: 1"}, "/secrets/api_key"),
        ("delete_everything", {}, KEY, "/operation"),
    ],
)
def test_a_bad_call_is_refused_before_anything_is_sent(
    operation: str, payload: dict[str, Any], secrets: dict[str, str], key: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        render(CONFIG, operation, payload, secrets)
    assert key in errors_of(exc)
    assert "X-Evil" not in str(exc.value.extensions)


# -- outcomes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "header", "expected"),
    [
        (402, "card_error", None, None),  # declined: final
        (429, "rate_limit_error", None, 429),  # rate limited: the rule for 429
        (500, "api_error", None, 500),
        (503, "api_error", None, 503),
        (400, "invalid_request_error", None, None),
        (400, "idempotency_error", None, None),
        (401, "authentication_error", None, None),
        (409, "api_error", None, None),
        (500, "api_error", False, None),  # Stripe says no: final, whatever the status
        (429, "rate_limit_error", False, None),
        (409, "api_error", True, 503),  # Stripe says yes: the 503 rule where none applies
        (402, "card_error", True, 503),
        (500, "api_error", True, 500),
    ],
)
def test_the_retry_decision_table(
    status: int, kind: str, header: bool | None, expected: int | None
) -> None:
    assert retry_status(status, kind, header) == expected


def answer(status: int, body: bytes, **headers: str) -> UpstreamResponse:
    return UpstreamResponse(
        status=status,
        headers=CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json", **headers})),
        body=body,
        elapsed_s=0.01,
    )


def test_a_card_error_is_final_with_stripes_error_as_output() -> None:
    body = (
        b'{"error": {"type": "card_error", "code": "card_declined",'
        b' "decline_code": "insufficient_funds", "message": "Your card was declined."}}'
    )
    result = answer_outcome(answer(402, body), RetryPolicy(), secret="sk", now=0.0)
    assert (result.outcome, result.error, result.upstream_status) == (
        "failed",
        "stripe_card_error",
        402,
    )
    assert result.output["error"]["decline_code"] == "insufficient_funds"
    assert not breaker_failure(result)


def test_a_rate_limit_is_retried_after_what_stripe_asks() -> None:
    body = b'{"error": {"type": "invalid_request_error", "code": "rate_limit"}}'
    result = answer_outcome(
        answer(429, body, **{"Retry-After": "2"}), RetryPolicy(), secret="sk", now=0.0
    )
    assert (result.outcome, result.error, result.retry_status) == (
        "retryable",
        "stripe_rate_limit_error",
        429,
    )
    assert result.retry_after_s == 2.0
    assert not breaker_failure(result)


def test_should_retry_false_makes_a_500_final_and_true_retries_a_409() -> None:
    error = b'{"error": {"type": "api_error", "message": "boom"}}'
    final = answer_outcome(
        answer(500, error, **{"Stripe-Should-Retry": "false"}), RetryPolicy(), secret="s", now=0
    )
    assert (final.outcome, final.retry_status) == ("failed", None)
    assert breaker_failure(final)  # still Stripe failing
    again = answer_outcome(
        answer(409, error, **{"Stripe-Should-Retry": "true"}), RetryPolicy(), secret="s", now=0
    )
    assert (again.outcome, again.retry_status) == ("retryable", 503)


def test_a_policy_that_retries_no_5xx_keeps_a_500_final() -> None:
    policy = RetryPolicy(retry_on_status=(429,))
    result = answer_outcome(answer(500, b"{}"), policy, secret="s", now=0.0)
    assert result.outcome == "failed"


def test_the_api_key_is_taken_out_of_anything_stripe_echoes() -> None:
    body = b'{"error": {"type": "invalid_request_error", "message": "Invalid API Key sk_live_9"}}'
    result = answer_outcome(answer(401, body), RetryPolicy(), secret="sk_live_9", now=0.0)
    assert "sk_live_9" not in str(result.output)
    assert result.error == "stripe_authentication_error"


def test_no_answer_is_an_api_connection_error_retried_by_the_policy() -> None:
    lost = lost_outcome(
        UpstreamConnectError("refused", request_sent=False), RetryPolicy(), duration_ms=1
    )
    assert (lost.outcome, lost.error) == ("retryable", "connect_error")
    assert lost.output["error"]["type"] == "api_connection_error"
    assert breaker_failure(lost)
    slow = lost_outcome(UpstreamTimeout("read", 1.0), RetryPolicy(), duration_ms=1)
    assert (slow.outcome, slow.error) == ("retryable", "timeout")
    large = lost_outcome(UpstreamBadResponse("too large"), RetryPolicy(), duration_ms=1)
    assert (large.outcome, large.error) == ("failed", "bad_response")
    never = RetryPolicy(retry_on_connect_error=False)
    assert (
        lost_outcome(UpstreamConnectError("x", request_sent=False), never, duration_ms=1).outcome
        == "failed"
    )
