"""Webhook signature verification per provider (docs/protocols.md §1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import msgspec
import pytest

from orchestrator.core.callbacks import signing as standard_webhooks
from orchestrator.core.webhooks.headers import keep_headers, stored_headers
from orchestrator.core.webhooks.options import GenericHmacOptions
from orchestrator.core.webhooks.providers import PROVIDER_NAMES, PROVIDERS
from orchestrator.core.webhooks.sign import sign
from orchestrator.core.webhooks.verify import Rejection, Verified, check

NOW = 1_700_000_000
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
# A valid secret for every provider: Standard Webhooks decodes it, the others use it as is.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_dGhlIG90aGVyIHNlY3JldCwgYmFzZTY0IGVuY29kZWQ="
JSON_BODY = b'{"id":"evt_1","type":"thing.happened","nested":{"a":1}}'
NAMED = sorted(PROVIDERS)
SIGNED = [name for name in NAMED if PROVIDERS[name].scheme == "hmac"]
"""The providers whose header is an HMAC of the delivery (not Coralogix's fixed token)."""
WINDOWED = ["stripe", "slack", "standard_webhooks", "svix", "incident_io"]
LITERAL_KEYED = ["stripe", "github", "slack", "pagerduty", "shopify"]


def verify(
    provider: str,
    headers: dict[str, str],
    body: bytes,
    secrets: list[str],
    *,
    now: float,
    options: GenericHmacOptions | None = None,
) -> Verified | None:
    """The verified delivery, or ``None`` whatever the rejection."""
    outcome = check(provider, headers, body, secrets, now=now, options=options)
    return outcome if isinstance(outcome, Verified) else None


def delivery(provider: str, body: bytes = JSON_BODY, secret: str = SECRET) -> dict[str, str]:
    """Headers of a delivery signed at ``NOW``, as the provider would send them."""
    return sign(provider, body, secret, timestamp=NOW, msg_id=MSG_ID)


def hex_hmac(key: bytes, msg: bytes, algorithm: str = "sha256") -> str:
    return hmac.new(key, msg, algorithm).hexdigest()


def b64_hmac(key: bytes, msg: bytes, algorithm: str = "sha256") -> str:
    return base64.b64encode(hmac.new(key, msg, algorithm).digest()).decode()


def passes(provider: str, headers: dict[str, str], body: bytes, *, now: float = NOW) -> bool:
    return verify(provider, headers, body, [SECRET], now=now) is not None


# --- The published vectors of docs/protocols.md §1 (Stripe's is built with hmac) ------

GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_SIG = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_the_github_vector() -> None:
    headers = {"X-Hub-Signature-256": GITHUB_SIG}
    assert sign("github", b"Hello, World!", GITHUB_SECRET) == {"x-hub-signature-256": GITHUB_SIG}
    assert verify("github", headers, b"Hello, World!", [GITHUB_SECRET], now=NOW)
    assert verify("github", headers, b"Hello, World?", [GITHUB_SECRET], now=NOW) is None


SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_TS = 1531420618
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
    b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
    b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
    b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
    b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_SIG = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
SLACK_HEADERS = {
    "X-Slack-Signature": SLACK_SIG,
    "X-Slack-Request-Timestamp": str(SLACK_TS),
    "Content-Type": "application/x-www-form-urlencoded",
}


def test_the_slack_vector_holds_for_300_seconds() -> None:
    assert sign("slack", SLACK_BODY, SLACK_SECRET, timestamp=SLACK_TS) == {
        "x-slack-signature": SLACK_SIG,
        "x-slack-request-timestamp": str(SLACK_TS),
    }
    for now in (SLACK_TS, SLACK_TS + 300, SLACK_TS - 300):
        assert verify("slack", SLACK_HEADERS, SLACK_BODY, [SLACK_SECRET], now=now)
    for now in (SLACK_TS + 301, SLACK_TS - 301):
        outcome = check("slack", SLACK_HEADERS, SLACK_BODY, [SLACK_SECRET], now=now)
        assert outcome is Rejection.STALE


def test_a_slack_slash_command_routes_on_its_form_fields() -> None:
    verified = verify("slack", SLACK_HEADERS, SLACK_BODY, [SLACK_SECRET], now=SLACK_TS)
    assert verified is not None
    assert verified.routing_keys == {"team_id": "T1DC2JH3J", "channel": "G8PSS9T3V"}
    # Slash commands carry no event id and are not retried: the body hash dedupes.
    assert verified.dedupe_id == "sha256:" + hashlib.sha256(SLACK_BODY).hexdigest()
    assert verified.event_type is None
    assert verified.challenge is None


SW_TS = 1614265330
SW_BODY = b'{"test": 2432232314}'
SW_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def sw_headers(signature: str, *, msg_id: str = MSG_ID) -> dict[str, str]:
    return {"Webhook-Id": msg_id, "Webhook-Timestamp": str(SW_TS), "Webhook-Signature": signature}


def test_the_standard_webhooks_vector() -> None:
    assert sign("standard_webhooks", SW_BODY, SECRET, timestamp=SW_TS, msg_id=MSG_ID) == (
        standard_webhooks.sign_headers([SECRET], MSG_ID, SW_TS, SW_BODY)
    )
    assert passes("standard_webhooks", sw_headers(SW_SIG), SW_BODY, now=SW_TS)
    assert not passes("standard_webhooks", sw_headers(SW_SIG[:-4] + "1OA="), SW_BODY, now=SW_TS)
    assert passes("standard_webhooks", sw_headers(f"v1,bad v2,x {SW_SIG}"), SW_BODY, now=SW_TS)
    assert not passes("standard_webhooks", sw_headers("v1,bad v2,x"), SW_BODY, now=SW_TS)
    # The id is signed: the same signature under another id fails.
    assert not passes("standard_webhooks", sw_headers(SW_SIG, msg_id="msg_2"), SW_BODY, now=SW_TS)


@pytest.mark.parametrize("provider", ["svix", "incident_io"])
def test_the_standard_webhooks_vector_under_svix_and_incident_io(provider: str) -> None:
    # incident.io publishes this very signature as its example (it sends through Svix);
    # Svix-powered senders (Clerk, Resend) send it under svix-* names.
    prefix = PROVIDERS[provider].id_header.removesuffix("-id")  # type: ignore[union-attr]
    headers = {
        f"{prefix}-id": MSG_ID,
        f"{prefix}-timestamp": str(SW_TS),
        f"{prefix}-signature": SW_SIG,
    }
    assert passes(provider, headers, SW_BODY, now=SW_TS)
    assert sign(provider, SW_BODY, SECRET, timestamp=SW_TS, msg_id=MSG_ID) == headers
    assert not passes(provider, {**headers, f"{prefix}-id": "msg_2"}, SW_BODY, now=SW_TS)
    # The other set of names is not read: a standard delivery is not a Svix one.
    assert not passes("svix", sw_headers(SW_SIG), SW_BODY, now=SW_TS)


def test_incident_io_names_its_event_type_and_an_alerts_source() -> None:
    body = msgspec.json.encode(
        {
            "event_type": "public_alert.alert_created_v1",
            "public_alert.alert_created_v1": {
                "alert_source_id": "01GW2G3V0S59R238FAHPDS1R66",
                "deduplication_key": "4293868629",
                "status": "firing",
            },
        }
    )
    outcome = verified("incident_io", body)
    assert outcome.dedupe_id == MSG_ID
    assert outcome.event_type == "public_alert.alert_created_v1"
    assert outcome.routing_keys == {"alert_source_id": "01GW2G3V0S59R238FAHPDS1R66"}
    incident = msgspec.json.encode(
        {
            "event_type": "private_incident.incident_created_v2",
            "private_incident.incident_created_v2": {"id": "01FCNDV6P870EA6S7TK1DSYDG0"},
        }
    )
    assert verified("incident_io", incident).routing_keys == {}


CORALOGIX_TOKEN = "cx-orchestrator-token-0123456789abcdef"


def test_coralogix_presents_its_secret_as_a_bearer_token_compared_in_constant_time() -> None:
    body = msgspec.json.encode(
        {
            "_context": {"system": {"id": "17266", "name": "onlineboutique"}},
            "alert": {"id": "497f6eca-6276-4993-bfeb-53cbbbba6f08", "status": "Triggered"},
        }
    )
    headers = {"Authorization": f"Bearer {CORALOGIX_TOKEN}"}
    assert sign("coralogix", body, CORALOGIX_TOKEN) == {"authorization": headers["Authorization"]}
    outcome = check(
        "coralogix", headers, body, ["other-secret-of-enough-length", CORALOGIX_TOKEN], now=NOW
    )
    assert isinstance(outcome, Verified)
    assert (outcome.secret_index, outcome.event_type) == (1, "Triggered")
    assert outcome.routing_keys == {"team": "onlineboutique"}
    assert outcome.dedupe_id == "sha256:" + hashlib.sha256(body).hexdigest()
    wrong = {"Authorization": f"Bearer {CORALOGIX_TOKEN[:-1]}x"}
    assert check("coralogix", wrong, body, [CORALOGIX_TOKEN], now=NOW) is Rejection.MISMATCH
    assert check("coralogix", {}, body, [CORALOGIX_TOKEN], now=NOW) is Rejection.NO_SIGNATURE
    # A short secret would be guessable when sent as is: it never passes.
    short = "short-token"
    assert check("coralogix", {"Authorization": f"Bearer {short}"}, body, [short], now=NOW) is (
        Rejection.NO_SECRET
    )
    # The token is a credential: never kept with the event.
    assert "authorization" not in stored_headers("coralogix")


def test_standard_webhooks_refuse_too_old_and_too_new() -> None:
    headers = sw_headers(SW_SIG)
    assert passes("standard_webhooks", headers, SW_BODY, now=SW_TS + 300)
    assert passes("standard_webhooks", headers, SW_BODY, now=SW_TS - 300)
    for now in (SW_TS + 301, SW_TS - 301):
        assert check("standard_webhooks", headers, SW_BODY, [SECRET], now=now) is Rejection.STALE


STRIPE_SECRET = "whsec_test_secret"
STRIPE_TS = 1700000000
STRIPE_BODY = b'{"id":"evt_test_webhook","object":"event"}'
STRIPE_V1 = "v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"


def stripe(
    value: str, body: bytes = STRIPE_BODY, *, now: float = STRIPE_TS
) -> Verified | Rejection:
    return check("stripe", {"Stripe-Signature": value}, body, [STRIPE_SECRET], now=now)


def test_the_stripe_vector() -> None:
    assert sign("stripe", STRIPE_BODY, STRIPE_SECRET, timestamp=STRIPE_TS) == {
        "stripe-signature": f"t={STRIPE_TS},{STRIPE_V1}"
    }
    assert isinstance(stripe(f"t={STRIPE_TS},{STRIPE_V1}"), Verified)
    assert isinstance(stripe(f"t={STRIPE_TS},{STRIPE_V1},v1=bad"), Verified)
    assert isinstance(stripe(f"t={STRIPE_TS},v0=abc,{STRIPE_V1}"), Verified)
    assert isinstance(stripe(f"{STRIPE_V1},t={STRIPE_TS}"), Verified)  # any order
    v0_only = STRIPE_V1.replace("v1=", "v0=")
    assert stripe(f"t={STRIPE_TS},{v0_only}") is Rejection.NO_SIGNATURE


def test_stripe_checks_its_timestamp() -> None:
    value = f"t={STRIPE_TS},{STRIPE_V1}"
    assert isinstance(stripe(value, now=STRIPE_TS + 300), Verified)
    assert stripe(value, now=STRIPE_TS + 301) is Rejection.STALE
    assert stripe(value, now=STRIPE_TS - 301) is Rejection.STALE
    assert stripe(STRIPE_V1) is Rejection.MALFORMED
    assert stripe(f"t=soon,{STRIPE_V1}") is Rejection.MALFORMED
    # The timestamp is signed: moving it breaks the signature.
    assert stripe(f"t={STRIPE_TS + 1},{STRIPE_V1}") is Rejection.MISMATCH


# --- Vectors built here with hmac, independently of the module under test -------------

PD_SECRET = "pd-secret-one"
PD_BODY = b'{"event":{"id":"01DEN5MC8QSTYRUN4WWVRR4IQH","event_type":"incident.triggered"}}'
PD_SIG = "c9232f66b99a330cf9556d73adcd9acf6b28092a13def42f76181c18f4152bd1"


def test_a_pagerduty_vector_with_several_signatures() -> None:
    assert hex_hmac(PD_SECRET.encode(), PD_BODY) == PD_SIG
    assert sign("pagerduty", PD_BODY, PD_SECRET) == {"x-pagerduty-signature": f"v1={PD_SIG}"}
    other = hex_hmac(b"pd-secret-two", PD_BODY)

    def pd(value: str) -> Verified | None:
        return verify("pagerduty", {"X-PagerDuty-Signature": value}, PD_BODY, [PD_SECRET], now=0)

    assert pd(f"v1={PD_SIG}")
    assert pd(f"v1={other},v1={PD_SIG}")
    assert pd(f"v1={PD_SIG}, v1={other}")
    assert pd(f"v1={other}") is None
    assert pd(f"v2={PD_SIG}") is None
    assert pd(PD_SIG) is None


SHOPIFY_SECRET = "shpss_client_secret"
SHOPIFY_BODY = b'{"id":820982911946154508,"email":"jon@example.com"}'


def test_a_shopify_vector() -> None:
    expected = b64_hmac(SHOPIFY_SECRET.encode(), SHOPIFY_BODY)
    assert sign("shopify", SHOPIFY_BODY, SHOPIFY_SECRET) == {"x-shopify-hmac-sha256": expected}
    headers = {"X-Shopify-Hmac-Sha256": expected}
    assert verify("shopify", headers, SHOPIFY_BODY, [SHOPIFY_SECRET], now=0)
    # Base64 is case-sensitive, unlike hex.
    swapped = {"X-Shopify-Hmac-Sha256": expected.swapcase()}
    assert verify("shopify", swapped, SHOPIFY_BODY, [SHOPIFY_SECRET], now=0) is None
    as_hex = {"X-Shopify-Hmac-Sha256": hex_hmac(SHOPIFY_SECRET.encode(), SHOPIFY_BODY)}
    assert verify("shopify", as_hex, SHOPIFY_BODY, [SHOPIFY_SECRET], now=0) is None


# --- What every provider refuses ------------------------------------------------------


@pytest.mark.parametrize("provider", SIGNED)
def test_a_signed_delivery_passes_and_a_changed_body_fails(provider: str) -> None:
    headers = delivery(provider)
    assert passes(provider, headers, JSON_BODY)
    assert check(provider, headers, JSON_BODY + b" ", [SECRET], now=NOW) is Rejection.MISMATCH
    assert not passes(provider, headers, JSON_BODY.replace(b"evt_1", b"evt_2"))


@pytest.mark.parametrize("provider", SIGNED)
def test_the_raw_bytes_are_signed_not_the_json(provider: str) -> None:
    reserialised = json.dumps(json.loads(JSON_BODY), indent=1).encode()
    assert json.loads(reserialised) == json.loads(JSON_BODY)
    assert not passes(provider, delivery(provider), reserialised)


@pytest.mark.parametrize("provider", NAMED)
def test_a_missing_or_empty_signature_fails(provider: str) -> None:
    headers = delivery(provider)
    name = PROVIDERS[provider].signature.name
    unsigned = {k: v for k, v in headers.items() if k != name}
    assert check(provider, unsigned, JSON_BODY, [SECRET], now=NOW) is Rejection.NO_SIGNATURE
    blank = {**headers, name: PROVIDERS[provider].signature.prefix}
    assert not passes(provider, blank, JSON_BODY)


@pytest.mark.parametrize("provider", WINDOWED)
def test_a_stale_or_future_delivery_fails(provider: str) -> None:
    headers = delivery(provider)
    assert passes(provider, headers, JSON_BODY, now=NOW + 300)
    assert check(provider, headers, JSON_BODY, [SECRET], now=NOW + 301) is Rejection.STALE
    assert check(provider, headers, JSON_BODY, [SECRET], now=NOW - 301) is Rejection.STALE


@pytest.mark.parametrize("provider", ["github", "pagerduty", "shopify"])
def test_providers_without_a_timestamp_accept_any_clock(provider: str) -> None:
    assert passes(provider, delivery(provider), JSON_BODY, now=NOW + 10**6)


@pytest.mark.parametrize("provider", NAMED)
def test_a_rotated_secret_matches_and_says_which(provider: str) -> None:
    headers = delivery(provider, secret=OTHER_SECRET)
    verified = verify(provider, headers, JSON_BODY, [SECRET, OTHER_SECRET], now=NOW)
    assert verified is not None
    assert verified.secret_index == 1
    assert not passes(provider, headers, JSON_BODY)
    assert check(provider, headers, JSON_BODY, [], now=NOW) is Rejection.NO_SECRET


@pytest.mark.parametrize("provider", NAMED)
def test_headers_match_whatever_their_case(provider: str) -> None:
    headers = {name.upper(): value for name, value in delivery(provider).items()}
    assert passes(provider, headers, JSON_BODY)


@pytest.mark.parametrize("provider", LITERAL_KEYED)
def test_literal_keyed_providers_use_the_whole_whsec_string(provider: str) -> None:
    decoded = delivery_with_key(provider, standard_webhooks.secret_key(SECRET))
    literal = delivery_with_key(provider, SECRET.encode())
    assert passes(provider, literal, JSON_BODY)
    assert not passes(provider, decoded, JSON_BODY)


def test_standard_webhooks_decode_the_whsec_secret() -> None:
    signed = f"{MSG_ID}.{NOW}.".encode() + JSON_BODY
    decoded = {"webhook-id": MSG_ID, "webhook-timestamp": str(NOW)}
    literal = dict(decoded)
    decoded["webhook-signature"] = "v1," + b64_hmac(standard_webhooks.secret_key(SECRET), signed)
    literal["webhook-signature"] = "v1," + b64_hmac(SECRET.encode(), signed)
    assert passes("standard_webhooks", decoded, JSON_BODY)
    assert not passes("standard_webhooks", literal, JSON_BODY)


def delivery_with_key(provider: str, key: bytes) -> dict[str, str]:
    """A delivery signed by hand (not with ``sign``) under the raw HMAC ``key``."""
    if provider == "stripe":
        return {"stripe-signature": f"t={NOW},v1=" + hex_hmac(key, f"{NOW}.".encode() + JSON_BODY)}
    if provider == "slack":
        sig = "v0=" + hex_hmac(key, f"v0:{NOW}:".encode() + JSON_BODY)
        return {"x-slack-signature": sig, "x-slack-request-timestamp": str(NOW)}
    if provider == "github":
        return {"x-hub-signature-256": "sha256=" + hex_hmac(key, JSON_BODY)}
    if provider == "pagerduty":
        return {"x-pagerduty-signature": "v1=" + hex_hmac(key, JSON_BODY)}
    assert provider == "shopify"
    return {"x-shopify-hmac-sha256": b64_hmac(key, JSON_BODY)}


def test_an_empty_secret_never_verifies() -> None:
    forged = {"x-hub-signature-256": "sha256=" + hex_hmac(b"", JSON_BODY)}
    assert check("github", forged, JSON_BODY, [""], now=NOW) is Rejection.NO_SECRET
    empty_sw = sign("standard_webhooks", JSON_BODY, "whsec_", timestamp=NOW, msg_id=MSG_ID)
    outcome = check("standard_webhooks", empty_sw, JSON_BODY, ["whsec_"], now=NOW)
    assert outcome is Rejection.NO_SECRET


def test_a_bad_standard_webhooks_secret_is_skipped_not_fatal() -> None:
    headers = delivery("standard_webhooks")
    verified = verify("standard_webhooks", headers, JSON_BODY, ["whsec_!!!", SECRET], now=NOW)
    assert verified is not None
    assert verified.secret_index == 1


def test_standard_webhooks_need_their_id() -> None:
    headers = {k: v for k, v in delivery("standard_webhooks").items() if k != "webhook-id"}
    assert check("standard_webhooks", headers, JSON_BODY, [SECRET], now=NOW) is Rejection.MALFORMED


def test_github_hex_is_case_insensitive() -> None:
    upper = {"x-hub-signature-256": GITHUB_SIG.upper().replace("SHA256=", "sha256=")}
    assert verify("github", upper, b"Hello, World!", [GITHUB_SECRET], now=NOW)


# --- The generic HMAC provider --------------------------------------------------------


def test_generic_hmac_sha1_hex_with_a_prefix() -> None:
    options = GenericHmacOptions(header="X-Signature", algorithm="sha1", prefix="sha1=")
    headers = {"x-signature": "sha1=" + hex_hmac(b"k", JSON_BODY, "sha1")}
    verified = verify("hmac", headers, JSON_BODY, ["k"], now=NOW, options=options)
    assert verified is not None
    assert verified.dedupe_id == "sha256:" + hashlib.sha256(JSON_BODY).hexdigest()
    assert sign("hmac", JSON_BODY, "k", options=options) == headers
    no_prefix = {"x-signature": hex_hmac(b"k", JSON_BODY, "sha1")}
    assert verify("hmac", no_prefix, JSON_BODY, ["k"], now=NOW, options=options) is None
    sha256 = {"x-signature": "sha1=" + hex_hmac(b"k", JSON_BODY)}
    assert verify("hmac", sha256, JSON_BODY, ["k"], now=NOW, options=options) is None


def test_generic_hmac_sha512_base64_with_a_signed_timestamp() -> None:
    options = msgspec.convert(
        {
            "header": "X-Hook-Signature",
            "algorithm": "sha512",
            "encoding": "base64",
            "timestamp_header": "X-Hook-Time",
            "tolerance_s": 60,
            "signed": "{timestamp}.{body}",
            "dedupe_header": "X-Hook-Id",
            "event_type_header": "X-Hook-Event",
        },
        GenericHmacOptions,
    )
    sig = b64_hmac(b"k", f"{NOW}.".encode() + JSON_BODY, "sha512")
    headers = {"X-Hook-Signature": sig, "X-Hook-Time": str(NOW), "X-Hook-Id": "d-1"}
    headers["X-Hook-Event"] = "order.paid"
    verified = check("hmac", headers, JSON_BODY, ["k"], now=NOW + 60, options=options)
    assert verified == Verified("d-1", "order.paid", {}, None, 0)
    outcome = check("hmac", headers, JSON_BODY, ["k"], now=NOW + 61, options=options)
    assert outcome is Rejection.STALE
    moved = {**headers, "X-Hook-Time": str(NOW + 1)}
    assert check("hmac", moved, JSON_BODY, ["k"], now=NOW, options=options) is Rejection.MISMATCH
    assert stored_headers("hmac", options) == {
        "content-type",
        "x-hook-signature",
        "x-hook-time",
        "x-hook-id",
        "x-hook-event",
    }


@pytest.mark.parametrize(
    "config",
    [
        {"header": "X-Sig", "timestamp_header": "X-Time"},  # a timestamp that is not signed
        {"header": "X-Sig", "signed": "{timestamp}.{body}"},  # signs a timestamp it lacks
        {"header": "X-Sig", "signed": "{id}.{body}"},
        {"header": "X-Sig", "signed": "{body}{body}"},
        {"header": "X-Sig", "signed": "{body!r}"},
        {"header": "X-Sig", "algorithm": "md5"},
        {"header": "X-Sig", "encoding": "base32"},
        {"header": "X Sig"},
        {"header": "X-Sig", "secret": "no"},
    ],
)
def test_a_bad_generic_configuration_is_refused(config: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(config, GenericHmacOptions)


def test_the_generic_provider_needs_its_options_and_names_must_be_known() -> None:
    with pytest.raises(ValueError, match="GenericHmacOptions"):
        verify("hmac", {}, b"", ["k"], now=NOW)
    with pytest.raises(ValueError, match="unknown"):
        verify("gitlab", {}, b"", ["k"], now=NOW)


# --- Dedupe ids, event types, routing keys --------------------------------------------


def verified(provider: str, body: bytes, **extra: str) -> Verified:
    headers = {**delivery(provider, body), **extra}
    outcome = check(provider, headers, body, [SECRET], now=NOW)
    assert isinstance(outcome, Verified), outcome
    return outcome


def test_stripe_dedupes_on_the_event_id_and_routes_on_the_account() -> None:
    body = b'{"id":"evt_9","type":"invoice.paid","account":"acct_42","data":{}}'
    assert verified("stripe", body) == Verified(
        "evt_9", "invoice.paid", {"account": "acct_42"}, None, 0
    )


def test_a_boolean_is_not_an_event_id() -> None:
    body = b'{"id":true,"type":"invoice.paid"}'
    assert verified("stripe", body).dedupe_id == "sha256:" + hashlib.sha256(body).hexdigest()


def test_github_dedupes_on_the_delivery_header() -> None:
    body = b'{"installation":{"id":77},"repository":{"full_name":"acme/api"}}'
    outcome = verified("github", body, **{"X-GitHub-Delivery": "d-5", "X-GitHub-Event": "push"})
    routing = {"installation_id": "77", "repository": "acme/api"}
    assert outcome == Verified("d-5", "push", routing, None, 0)


def test_slack_events_dedupe_on_event_id_and_route_on_team_app_and_channel() -> None:
    body = (
        b'{"type":"event_callback","event_id":"Ev1","team_id":"T1","api_app_id":"A1",'
        b'"event":{"type":"message","channel":"C1"}}'
    )
    routing = {"team_id": "T1", "api_app_id": "A1", "channel": "C1"}
    assert verified("slack", body) == Verified("Ev1", "message", routing, None, 0)


def test_a_signed_slack_url_verification_returns_its_challenge() -> None:
    body = b'{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}'
    outcome = verified("slack", body)
    assert outcome.challenge == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    assert outcome.event_type == "url_verification"
    assert verify("slack", delivery("slack", b"{}"), body, [SECRET], now=NOW) is None
    # Only Slack echoes challenges, and only for url_verification.
    assert verified("github", body).challenge is None
    assert verified("slack", body.replace(b"url_verification", b"other")).challenge is None


def test_pagerduty_dedupes_on_the_event_id_and_routes_on_the_service() -> None:
    body = (
        b'{"event":{"id":"E1","event_type":"incident.triggered",'
        b'"data":{"id":"P1","service":{"id":"S1"}}}}'
    )
    assert verified("pagerduty", body) == Verified(
        "E1", "incident.triggered", {"service_id": "S1"}, None, 0
    )


def test_standard_webhooks_dedupe_on_the_message_id() -> None:
    assert verified("standard_webhooks", b'{"type":"job.done"}') == Verified(
        MSG_ID, "job.done", {}, None, 0
    )


def test_shopify_reads_its_headers() -> None:
    extra = {
        "X-Shopify-Event-Id": "e-1",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "acme.myshopify.com",
    }
    assert verified("shopify", b"{}", **extra) == Verified(
        "e-1", "orders/create", {"shop_domain": "acme.myshopify.com"}, None, 0
    )


@pytest.mark.parametrize("provider", NAMED)
def test_a_delivery_naming_no_id_dedupes_on_its_body_hash(provider: str) -> None:
    body = b"[1, 2, 3]"  # not an object: nothing to read, and not an error
    outcome = verified(provider, body)
    body_hash = "sha256:" + hashlib.sha256(body).hexdigest()
    # Standard Webhooks (under any names) always name one: the signed message id.
    assert outcome.dedupe_id == (MSG_ID if PROVIDERS[provider].id_header else body_hash)
    assert outcome.event_type is None
    assert outcome.routing_keys == {}


# --- Headers kept with the event ------------------------------------------------------


def test_every_provider_is_listed() -> None:
    assert set(PROVIDER_NAMES) == {
        "stripe",
        "github",
        "slack",
        "pagerduty",
        "standard_webhooks",
        "svix",
        "incident_io",
        "coralogix",
        "shopify",
        "hmac",
    }


def test_the_stored_headers_are_the_providers_own_and_never_credentials() -> None:
    assert stored_headers("github") == {
        "content-type",
        "x-hub-signature-256",
        "x-github-delivery",
        "x-github-event",
        "x-github-hook-id",
        "x-github-hook-installation-target-id",
    }
    assert {"x-slack-retry-num", "x-slack-request-timestamp"} <= stored_headers("slack")
    assert {"webhook-id", "webhook-timestamp"} <= stored_headers("standard_webhooks")
    assert "x-shopify-shop-domain" in stored_headers("shopify")
    sneaky = GenericHmacOptions(header="Authorization", dedupe_header="Cookie")
    assert stored_headers("hmac", sneaky) == {"content-type"}
    request = {"X-GitHub-Event": "push", "Authorization": "Bearer t", "Cookie": "c=1"}
    assert keep_headers(request, stored_headers("github")) == {"x-github-event": "push"}
