"""The generic ``http`` connector type: config validation and request rendering (pure)."""

from __future__ import annotations

import base64
from typing import Any

import msgspec
import pytest

from orchestrator.core.connectors import registry
from orchestrator.core.connectors.http.parsing import parse_config
from orchestrator.core.connectors.http.rendering import render_request
from orchestrator.core.connectors.http.responses import parse_response_body
from orchestrator.core.connectors.templates import TemplateSyntaxError, parse_template
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.upstream.ssrf import NetworkPolicy

CONFIG: dict[str, Any] = {
    "base_url": "https://api.example.com/v1/",
    "headers": {"Accept": "application/json", "X-Request-Source": "{source?}"},
    "auth": {"type": "bearer", "secret": "api_token"},
    "operations": {
        "get_user": {
            "method": "GET",
            "path": "/users/{user_id}",
            "query": {"expand": "{expand?}", "tag": "{tags?}", "q": "name:{name?}"},
            "headers": {"X-Trace": "{trace?}"},
        },
        "create_charge": {
            "method": "POST",
            "path": "/customers/{customer}/charges",
            "body": {
                "amount": "{amount}",
                "capture": "{capture?}",
                "description": "Charge for {customer}",
                "metadata": {"source": "orchestrator", "order": "{order?}"},
                "lines": ["{first}", 2],
            },
            "payload_schema": {"type": "object", "required": ["customer", "amount"]},
        },
        "replace": {"method": "PUT", "path": "/items/{id}"},
        "remove": {"method": "DELETE", "path": "/items/{id}", "idempotent": False},
        "subscribe": {
            "method": "POST",
            "path": "/subscriptions",
            "body_encoding": "form",
            "body": {"customer": "{customer}", "items": "{items}"},
        },
        "ping": {"method": "POST", "path": "/ping", "body": None},
    },
}
SECRETS = {"api_token": "tok-123"}


def errors_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    """``{key: message}`` of a ``ValidationFailed``."""
    return {e["key"]: e["message"] for e in exc.value.extensions["errors"]}


def test_get_renders_method_url_query_and_headers() -> None:
    request = render_request(
        CONFIG,
        "get_user",
        {"user_id": "u-1", "expand": "orders", "tags": ["a", "b c"], "trace": "t-9"},
        SECRETS,
    )

    assert request.method == "GET"
    assert (
        request.url
        == "https://api.example.com/v1/users/u-1?expand=orders&tag=a&tag=b%20c&q=name%3A"
    )
    assert request.headers == {
        "Accept": "application/json",
        "X-Trace": "t-9",
        "Authorization": "Bearer tok-123",
    }
    assert request.body is None


def test_path_and_query_values_are_percent_encoded() -> None:
    request = render_request(CONFIG, "get_user", {"user_id": "a/b c?d#é", "name": "x&y=z"}, SECRETS)

    assert request.url == (
        "https://api.example.com/v1/users/a%2Fb%20c%3Fd%23%C3%A9?q=name%3Ax%26y%3Dz"
    )


@pytest.mark.parametrize("segment", ["..", ".", ""])
def test_a_path_value_cannot_climb_out_of_its_segment(segment: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        render_request(CONFIG, "get_user", {"user_id": segment}, SECRETS)

    assert "/payload/user_id" in errors_of(exc)


def test_post_body_template_keeps_value_types_and_leaves_out_absent_optionals() -> None:
    request = render_request(
        CONFIG,
        "create_charge",
        {"customer": "cus 1", "amount": 1500, "capture": False, "first": {"sku": "x"}},
        SECRETS,
    )

    assert request.method == "POST"
    assert request.url == "https://api.example.com/v1/customers/cus%201/charges"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body is not None
    assert msgspec.json.decode(request.body) == {
        "amount": 1500,
        "capture": False,
        "description": "Charge for cus 1",
        "metadata": {"source": "orchestrator"},
        "lines": [{"sku": "x"}, 2],
    }


def test_without_a_body_template_put_sends_the_whole_payload_and_delete_none() -> None:
    payload = {"id": 7, "name": "seven", "tags": ["x"]}

    put = render_request(CONFIG, "replace", payload, SECRETS)
    delete = render_request(CONFIG, "remove", payload, SECRETS)
    ping = render_request(CONFIG, "ping", payload, SECRETS)

    assert put.body is not None
    assert msgspec.json.decode(put.body) == payload
    assert put.url.endswith("/items/7")
    assert delete.body is None
    assert "Content-Type" not in delete.headers
    assert ping.body is None


def test_form_body_is_form_encoded_with_repeated_lists() -> None:
    request = render_request(
        CONFIG, "subscribe", {"customer": "c 1", "items": ["p1", "p&2"]}, SECRETS
    )

    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.body == b"customer=c+1&items=p1&items=p%262"


def test_every_missing_placeholder_is_reported_with_its_pointer() -> None:
    with pytest.raises(ValidationFailed) as exc:
        render_request(CONFIG, "create_charge", {"amount": None}, SECRETS)

    assert exc.value.status == 422
    assert set(errors_of(exc)) == {"/payload/customer", "/payload/amount", "/payload/first"}
    assert "required" in errors_of(exc)["/payload/customer"]


@pytest.mark.parametrize(
    "value",
    ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b", "a\x1bb", "a\x7fb", "café", "a😀b", "\u2028"],
)
def test_a_payload_value_a_header_cannot_carry_never_reaches_a_header(value: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        render_request(CONFIG, "get_user", {"user_id": "u", "trace": value}, SECRETS)

    assert "visible ASCII" in errors_of(exc)["/payload/trace"]
    assert value not in str(exc.value.extensions)


def test_visible_ascii_spaces_and_tabs_fill_a_header() -> None:
    value = "a\tb ~!#$%&'()*+,-./:;<=>?@[]^_`{|}"
    request = render_request(CONFIG, "get_user", {"user_id": "u", "trace": value}, SECRETS)

    assert value in request.headers.values()


def test_an_object_cannot_fill_a_path_segment() -> None:
    with pytest.raises(ValidationFailed) as exc:
        render_request(CONFIG, "get_user", {"user_id": {"id": 1}}, SECRETS)

    assert "string, number or boolean" in errors_of(exc)["/payload/user_id"]


def test_a_missing_or_unsafe_secret_is_reported_without_its_value() -> None:
    with pytest.raises(ValidationFailed) as missing:
        render_request(CONFIG, "get_user", {"user_id": "u"}, {})
    with pytest.raises(ValidationFailed) as unsafe:
        render_request(CONFIG, "get_user", {"user_id": "u"}, {"api_token": "x\r\nEvil: 1"})
    with pytest.raises(ValidationFailed) as emoji:
        render_request(CONFIG, "get_user", {"user_id": "u"}, {"api_token": "tok-🔑-Evil"})

    assert "/secrets/api_token" in errors_of(missing)
    assert "Evil" not in str(unsafe.value.extensions)
    assert "Evil" not in str(emoji.value.extensions)
    assert "/secrets/api_token" in errors_of(emoji)


def test_api_key_and_basic_auth() -> None:
    api_key = {
        **CONFIG,
        "auth": {"type": "api_key", "header": "X-Key", "secret": "k", "prefix": "Key "},
    }
    basic = {**CONFIG, "auth": {"type": "basic", "username": "ann", "password_secret": "pw"}}

    keyed = render_request(api_key, "get_user", {"user_id": "u"}, {"k": "s3"})
    based = render_request(basic, "get_user", {"user_id": "u"}, {"pw": "p:w"})

    assert keyed.headers["X-Key"] == "Key s3"
    assert based.headers["Authorization"] == "Basic " + base64.b64encode(b"ann:p:w").decode()


def test_unknown_operation_is_a_422() -> None:
    with pytest.raises(ValidationFailed) as exc:
        render_request(CONFIG, "nope", {}, SECRETS)

    assert "/operation" in errors_of(exc)


def test_template_syntax() -> None:
    assert parse_template("a{{b}}{c}{d?}").parts[0] == "a{b}"
    with pytest.raises(TemplateSyntaxError):
        parse_template("/users/{id")
    with pytest.raises(TemplateSyntaxError):
        parse_template("/users/{a.b}")
    with pytest.raises(TemplateSyntaxError):
        parse_template("x}")


def test_a_bad_config_lists_every_problem_with_its_pointer() -> None:
    bad = {
        "base_url": "https://api.example.com/v1?key=1",
        "headers": {
            "Bad Header": "x",
            "Content-Length": "1",
            "X-Ok": "line\r\nbreak",
            "X-Emoji": "🙂 {name}",
        },
        "operations": {
            "a": {"method": "GET", "path": "/users/{id", "query": {"q": "{$}"}},
            "b": {"method": "POST", "payload_schema": {"type": 12}, "body": {"x": "pre{$}"}},
        },
    }

    with pytest.raises(ValidationFailed) as exc:
        parse_config(bad)

    assert set(errors_of(exc)) >= {
        "/config/base_url",
        "/config/headers/Bad Header",
        "/config/headers/Content-Length",
        "/config/headers/X-Ok",
        "/config/headers/X-Emoji",
        "/config/operations/a/path",
        "/config/operations/a/query/q",
        "/config/operations/b/payload_schema",
        "/config/operations/b/body/x",
    }


def test_config_structure_errors_come_from_the_config_schema() -> None:
    with pytest.raises(ValidationFailed) as exc:
        parse_config({"base_url": 5, "operations": {"a": {"method": "FETCH", "extra": 1}}})

    keys = set(errors_of(exc))
    assert {"/config/base_url", "/config/operations/a/method", "/config/operations/a/extra"} <= keys


def test_registry_lists_the_http_type_as_json() -> None:
    types = registry.connector_types()
    listed = msgspec.json.decode(msgspec.json.encode(list(types.values())))

    assert [t["name"] for t in listed] == ["http", "smtp", "stripe"]
    assert listed[0]["config_schema"]["$defs"]["HttpConfig"]["required"] == [
        "base_url",
        "operations",
    ]
    with pytest.raises(ValidationFailed):
        registry.get_connector_type("smtp-v9")


def test_registry_operations_and_secrets_of_a_config() -> None:
    operations = registry.operations_of("http", CONFIG)

    assert operations["get_user"].idempotent is True
    assert operations["create_charge"].idempotent is False
    assert operations["replace"].idempotent is True
    assert operations["remove"].idempotent is False
    assert operations["create_charge"].payload_schema["required"] == ["customer", "amount"]
    assert registry.required_secrets("http", CONFIG) == {"api_token"}
    basic = {**CONFIG, "auth": {"type": "basic", "username_secret": "u", "password_secret": "p"}}
    assert registry.required_secrets("http", basic) == {"u", "p"}


def test_registry_checks_base_url_against_the_network_policy() -> None:
    local = {**CONFIG, "base_url": "http://127.0.0.1:8080"}
    metadata = {**CONFIG, "base_url": "http://169.254.169.254/latest"}
    everything = NetworkPolicy(allow_loopback=True, allow_private=True)

    with pytest.raises(ValidationFailed) as exc:
        registry.validate_connector_config("http", local, network=NetworkPolicy())
    registry.validate_connector_config("http", local, network=everything)
    with pytest.raises(ValidationFailed) as always:
        registry.validate_connector_config("http", metadata, network=everything)

    assert "loopback" in errors_of(exc)["/config/base_url"]
    assert "metadata" in errors_of(always)["/config/base_url"]


@pytest.mark.parametrize(
    "base_url",
    [
        "http://[169.254.169.254]/latest",
        "http://１６９.２５４.１６９.２５４/latest",  # noqa: RUF001
        "http://169。254。169。254/latest",
        "http://169.254.43518/latest",
        "http://[::ffff:169.254.169.254]/latest",
    ],
)
def test_a_base_url_in_any_form_of_a_metadata_address_is_a_422(base_url: str) -> None:
    everything = NetworkPolicy(allow_loopback=True, allow_private=True)

    with pytest.raises(ValidationFailed) as exc:
        registry.validate_connector_config(
            "http", {**CONFIG, "base_url": base_url}, network=everything
        )

    assert "/config/base_url" in errors_of(exc)


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/json", b'{"a":1}', {"a": 1}),
        ("application/problem+json; charset=utf-8", b'{"b":2}', {"b": 2}),
        ("text/plain; charset=latin-1", "café".encode("latin-1"), "café"),
        ("application/json", b"not json", "not json"),
        ("", b"", None),
    ],
)
def test_responses_parse_by_content_type(content_type: str, body: bytes, expected: object) -> None:
    assert parse_response_body({"Content-Type": content_type}, body) == expected
