"""A fake of Stripe's API on loopback, answering as Stripe does for the operations of the
``stripe`` connector type (a cloud provider's API cannot be run locally).

A real HTTP/1.1 server on its own thread (``http.server``), so it answers whatever the
test's event loop is doing. It checks the bearer key, parses form bodies, keeps the
objects it made (customers, payment intents, refunds, subscriptions) and, like Stripe's
v1 API, saves the answer to a ``POST`` by its ``Idempotency-Key``: the same key with the
same request gets the saved answer again (``Idempotent-Replayed: true``), with another
request an ``idempotency_error``. Every request is recorded.

On demand it fails: ``fail`` answers the next requests to a path with an error of
Stripe's shape (a 429 rate limit, a 500 with ``Stripe-Should-Retry``, ...) before
anything is done; ``drop`` does the work, saves the answer, then closes the connection
without sending it (a lost response). The payment method ``pm_card_chargeDeclined``
is declined as Stripe's test card is: a ``card_error``, 402.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgspec

from tests.support.stack import free_port

DECLINED_CARD = "pm_card_chargeDeclined"
Answer = tuple[int, dict[str, Any], dict[str, str]]
"""Status, JSON body, extra headers."""


@dataclass(frozen=True)
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    """Lower-case names."""
    params: dict[str, str]
    """The form body or query, flat (``metadata[order]``)."""

    @property
    def idempotency_key(self) -> str | None:
        """The ``Idempotency-Key`` sent, if any."""
        return self.headers.get("idempotency-key")


@dataclass
class _Failure:
    answer: Answer
    times: int


def stripe_error(status: int, kind: str, message: str, **fields: str) -> Answer:
    """An error answer as Stripe gives it: ``{"error": {"type", "message", ...}}``."""
    return status, {"error": {"type": kind, "message": message, **fields}}, {}


def nested(params: dict[str, str], name: str) -> dict[str, str]:
    """The members of ``name[...]`` in flat form params (``metadata[order]`` → ``order``)."""
    prefix = name + "["
    return {k[len(prefix) : -1]: v for k, v in params.items() if k.startswith(prefix)}


@dataclass
class FakeStripe:
    """The fake's state: what it holds, what it saw, what it is told to do next."""

    api_key: str
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    saved: dict[str, tuple[str, Answer]] = field(default_factory=dict)
    """Idempotency-Key → (method, path and body; the answer)."""
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    drops: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def config(self, **overrides: Any) -> dict[str, Any]:
        """A connector config pointing at this fake."""
        return {"base_url": self.url, **overrides}

    def fail(self, path: str, answer: Answer, *, times: int = 1) -> None:
        """Answer the next ``times`` requests to ``path`` with ``answer``, doing nothing."""
        with self.lock:
            self.failures.setdefault(path, []).append(_Failure(answer, times))

    def drop(self, path: str, *, times: int = 1) -> None:
        """Do the next ``times`` requests to ``path``, then close without answering."""
        with self.lock:
            self.drops[path] = self.drops.get(path, 0) + times

    def to(self, path: str) -> list[Recorded]:
        """The requests received for ``path``."""
        return [r for r in self.requests if r.path == path]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """The objects made of one kind (``customer``, ``refund``, ...)."""
        return [o for o in self.objects.values() if o["object"] == kind]

    # -- serving -----------------------------------------------------------------------

    def handle(self, request: Recorded, raw: str) -> tuple[Answer, bool]:
        """The answer to ``request``, and whether to drop it instead of sending it."""
        with self.lock:
            self.requests.append(request)
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                # Stripe masks the key; this fake echoes it whole, to prove nobody repeats it.
                given = request.headers.get("authorization", "").removeprefix("Bearer ")
                return stripe_error(
                    401, "invalid_request_error", f"Invalid API Key provided: {given}"
                ), False
            queued = self.failures.get(request.path) or []
            if queued:
                failure = queued[0]
                failure.times -= 1
                if failure.times <= 0:
                    queued.pop(0)
                return failure.answer, False
            key = request.idempotency_key if request.method == "POST" else None
            signature = f"{request.method} {request.path} {raw}"
            if key is not None and key in self.saved:
                first, answer = self.saved[key]
                if first != signature:
                    return stripe_error(
                        400,
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with.",
                    ), False
                status, body, headers = answer
                return (status, body, {**headers, "Idempotent-Replayed": "true"}), False
            answer = self.route(request)
            if key is not None:
                self.saved[key] = (signature, answer)
            dropped = self.drops.get(request.path, 0) > 0
            if dropped:
                self.drops[request.path] -= 1
            return answer, dropped

    def make(self, prefix: str, obj: str, **fields: Any) -> Answer:
        made: dict[str, Any] = {
            "id": f"{prefix}_{secrets.token_hex(7)}",
            "object": obj,
            "livemode": False,
        }
        made |= fields
        self.objects[made["id"]] = made
        return 200, made, {}

    def found(self, object_id: str, kind: str) -> dict[str, Any] | None:
        found = self.objects.get(object_id)
        return found if found is not None and found["object"] == kind else None

    def missing(self, object_id: str) -> Answer:
        return stripe_error(
            404, "invalid_request_error", f"No such object: '{object_id}'", code="resource_missing"
        )

    def route(self, request: Recorded) -> Answer:
        """Do what Stripe would for the request (the operations of the ``stripe`` type)."""
        method, path, params = request.method, request.path, request.params
        metadata = nested(params, "metadata")
        match (method, *path.strip("/").split("/")):
            case ("POST", "v1", "customers"):
                return self.make(
                    "cus", "customer", email=params.get("email"), name=params.get("name"),
                    metadata=metadata,
                )  # fmt: skip
            case ("GET", "v1", "customers", object_id):
                customer = self.found(object_id, "customer")
                return (200, customer, {}) if customer else self.missing(object_id)
            case ("POST", "v1", "payment_intents"):
                return self.make(
                    "pi", "payment_intent", amount=int(params["amount"]),
                    currency=params["currency"], status="requires_payment_method",
                    metadata=metadata,
                )  # fmt: skip
            case ("GET", "v1", "payment_intents", object_id):
                intent = self.found(object_id, "payment_intent")
                return (200, intent, {}) if intent else self.missing(object_id)
            case ("POST", "v1", "payment_intents", object_id, "confirm"):
                return self.confirm(object_id, params.get("payment_method"))
            case ("POST", "v1", "refunds"):
                intent = self.found(params.get("payment_intent", ""), "payment_intent")
                if intent is None:
                    return self.missing(params.get("payment_intent", ""))
                amount = int(params.get("amount", intent["amount"]))
                return self.make(
                    "re", "refund", amount=amount, payment_intent=intent["id"], status="succeeded"
                )
            case ("POST", "v1", "subscriptions"):
                items = [nested(params, f"items[{i}]") for i in range(20)]
                data = [{"object": "subscription_item", **item} for item in items if item]
                return self.make(
                    "sub", "subscription", customer=params["customer"], status="active",
                    items={"object": "list", "data": data},
                )  # fmt: skip
            case ("DELETE", "v1", "subscriptions", object_id):
                subscription = self.found(object_id, "subscription")
                if subscription is None:
                    return self.missing(object_id)
                subscription["status"] = "canceled"
                return 200, subscription, {}
        return stripe_error(404, "invalid_request_error", f"Unrecognized request URL ({path}).")

    def confirm(self, object_id: str, payment_method: str | None) -> Answer:
        intent = self.found(object_id, "payment_intent")
        if intent is None:
            return self.missing(object_id)
        if payment_method == DECLINED_CARD:
            intent["status"] = "requires_payment_method"
            return stripe_error(
                402,
                "card_error",
                "Your card was declined.",
                code="card_declined",
                decline_code="generic_decline",
            )
        intent["status"] = "succeeded"
        return 200, intent, {}


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads ``fake.requests``."""

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("ascii") if length else parts.query
            params = dict(parse_qsl(raw, keep_blank_values=True))
            headers = {name.lower(): value for name, value in self.headers.items()}
            request = Recorded(self.command, parts.path, headers, params)
            (status, body, extra), dropped = fake.handle(request, raw)
            if dropped:
                self.close_connection = True
                return
            payload = msgspec.json.encode(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _serve

    return Handler


@contextmanager
def stripe_server(api_key: str | None = None) -> Iterator[FakeStripe]:
    """A fake Stripe on 127.0.0.1 for the duration, accepting ``api_key`` (random if None)."""
    fake = FakeStripe(api_key=api_key or f"sk_test_{secrets.token_urlsafe(18)}")
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-stripe", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
