"""The generic ``http`` connector type: operations mapped to HTTP requests by templates.

A connector's config names a ``base_url`` and, per operation, a method, a path
template (appended to ``base_url``), query and header templates and a body
(see ``templates`` for the syntax)::

    {
      "base_url": "https://api.example.com/v1",
      "headers": {"Accept": "application/json"},
      "auth": {"type": "bearer", "secret": "api_token"},
      "operations": {
        "get_user": {"method": "GET", "path": "/users/{user_id}",
                     "query": {"expand": "{expand?}"}},
        "create_charge": {"method": "POST", "path": "/charges",
                          "body": {"amount": "{amount}", "meta": {"source": "orchestrator"}},
                          "payload_schema": {"type": "object", "required": ["amount"]}}
      }
    }

Without ``body``, POST, PUT and PATCH send the whole payload as JSON and other
methods send none; ``"body": null`` sends none. ``body_encoding: "form"``
sends a flat object form-encoded. Auth reads secrets by *name*; the caller
resolves the connector's secret refs into ``{name: value}``.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode, urlsplit

import msgspec
from msgspec import UNSET, UnsetType

from orchestrator.core.connectors.ssrf import NetworkPolicy
from orchestrator.core.connectors.templates import (
    WHOLE_PAYLOAD,
    Placeholder,
    Template,
    TemplateSyntaxError,
    parse_template,
    scalar_text,
)
from orchestrator.core.connectors.types import ConnectorType, OperationType
from orchestrator.core.connectors.validation import (
    escape_pointer_token,
    instance_errors,
    schema_problem,
)
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.upstream.client import HEADER_VALUE_UNSENDABLE, UpstreamRequest

TYPE_NAME = "http"
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Set by the client from the body or the connection; a template must not forge them.
RESERVED_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer"}
)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_UNSENDABLE = HEADER_VALUE_UNSENDABLE.search
_HEADER_RULE = (
    "must hold only visible ASCII, spaces and tabs "
    "(no CR, LF, NUL or other control characters, no non-ASCII characters)"
)
_PATH_LITERAL_SAFE = "/:@!$&'()*+,;=-._~%"
_OMIT = object()

SecretName = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
Templated = Annotated[str, msgspec.Meta(description="A template: {member} of the payload")]


class BearerAuth(
    msgspec.Struct, frozen=True, tag="bearer", tag_field="type", forbid_unknown_fields=True
):
    """``Authorization: Bearer <secret>``."""

    secret: SecretName


class ApiKeyAuth(
    msgspec.Struct, frozen=True, tag="api_key", tag_field="type", forbid_unknown_fields=True
):
    """``<header>: <prefix><secret>``."""

    secret: SecretName
    header: Annotated[str, msgspec.Meta(min_length=1)] = "X-Api-Key"
    prefix: str = ""


class BasicAuth(
    msgspec.Struct, frozen=True, tag="basic", tag_field="type", forbid_unknown_fields=True
):
    """``Authorization: Basic`` from a literal or secret user name and a secret password."""

    password_secret: SecretName
    username: str = ""
    username_secret: SecretName | None = None


Auth = BearerAuth | ApiKeyAuth | BasicAuth


class HttpOperation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one operation becomes an HTTP request."""

    method: Method
    path: Templated = ""
    """Appended to ``base_url``; placeholders are percent-encoded as one path segment."""
    query: dict[str, Templated] = msgspec.field(default_factory=dict)
    headers: dict[str, Templated] = msgspec.field(default_factory=dict)
    body: Any | UnsetType = UNSET
    """A JSON template; absent: the whole payload for POST/PUT/PATCH, none otherwise."""
    body_encoding: Literal["json", "form"] = "json"
    payload_schema: dict[str, Any] = msgspec.field(default_factory=lambda: {"type": "object"})
    output_schema: dict[str, Any] = msgspec.field(default_factory=dict)
    idempotent: bool | None = None
    """Default: true for GET, HEAD, OPTIONS, PUT and DELETE."""
    description: str = ""

    @property
    def is_idempotent(self) -> bool:
        """Whether repeating this operation is safe."""
        if self.idempotent is not None:
            return self.idempotent
        return self.method in IDEMPOTENT_METHODS


class HttpConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A connector of type ``http``."""

    base_url: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
    headers: dict[str, Templated] = msgspec.field(default_factory=dict)
    """Sent with every operation (an operation's own headers win)."""
    auth: Auth | None = None
    operations: Annotated[dict[str, HttpOperation], msgspec.Meta(min_length=1)]


CONFIG_SCHEMA: dict[str, Any] = msgspec.json.schema(HttpConfig)
SECRET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Secrets by the names the config's auth refers to.",
    "additionalProperties": {"type": "string"},
}
HTTP_TYPE = ConnectorType(
    name=TYPE_NAME,
    title="HTTP",
    description=(
        "Any HTTP API: each operation maps to a method, a path template under base_url, "
        "query, headers and a JSON body. Placeholders {member} take the payload's top-level "
        "members ({member?} when optional, {$} for the whole payload as a body value)."
    ),
    config_schema=CONFIG_SCHEMA,
    secret_schema=SECRET_SCHEMA,
    operations_in_config=True,
)


# -- configuration -------------------------------------------------------------------------


def _key(prefix: str, *tokens: str | int) -> str:
    return prefix + "".join("/" + escape_pointer_token(t) for t in tokens)


def _template_errors(
    text: str, key: str, *, allow_whole_payload: bool = False
) -> tuple[Template | None, list[dict[str, str]]]:
    try:
        template = parse_template(text)
    except TemplateSyntaxError as exc:
        return None, [{"key": key, "message": str(exc)}]
    if not allow_whole_payload and any(p.name == WHOLE_PAYLOAD for p in template.placeholders):
        return template, [{"key": key, "message": "{$} may only be a whole JSON body value"}]
    return template, []


def _header_errors(headers: Mapping[str, str], prefix: str) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    for name, value in headers.items():
        key = _key(prefix, name)
        if not _TOKEN.match(name):
            errors.append({"key": key, "message": "is not a valid header name"})
        elif name.lower() in RESERVED_HEADERS:
            errors.append({"key": key, "message": "is set by the client and cannot be configured"})
        if _UNSENDABLE(value):
            errors.append({"key": key, "message": _HEADER_RULE})
        errors.extend(_template_errors(value, key)[1])
    return errors


def _body_template_errors(node: Any, key: str) -> list[dict[str, str]]:
    if isinstance(node, str):
        template, errors = _template_errors(node, key, allow_whole_payload=True)
        partial = template is not None and template.whole is None
        if partial and template and any(p.name == WHOLE_PAYLOAD for p in template.placeholders):
            errors.append({"key": key, "message": "{$} must be the whole string"})
        return errors
    if isinstance(node, dict):
        return [
            e
            for k, v in node.items()
            for e in _body_template_errors(v, f"{key}/{escape_pointer_token(k)}")
        ]
    if isinstance(node, list):
        return [e for i, v in enumerate(node) for e in _body_template_errors(v, f"{key}/{i}")]
    return []


def _operation_errors(name: str, op: HttpOperation, prefix: str) -> list[dict[str, str]]:
    base = _key(prefix, "operations", name)
    errors: list[dict[str, str]] = []
    if "?" in op.path or "#" in op.path:
        errors.append({"key": f"{base}/path", "message": "must not contain '?' or '#'; use query"})
    if op.path.startswith("//") or "://" in op.path:
        errors.append({"key": f"{base}/path", "message": "must be a path under base_url"})
    errors.extend(_template_errors(op.path, f"{base}/path")[1])
    for param, value in op.query.items():
        if not param:
            errors.append({"key": f"{base}/query", "message": "a parameter name is empty"})
        errors.extend(_template_errors(value, _key(f"{base}/query", param))[1])
    errors.extend(_header_errors(op.headers, f"{base}/headers"))
    if op.body is not UNSET:
        errors.extend(_body_template_errors(op.body, f"{base}/body"))
        if op.body_encoding == "form" and op.body is not None and not isinstance(op.body, dict):
            errors.append({"key": f"{base}/body", "message": "a form body must be an object"})
    for field in ("payload_schema", "output_schema"):
        problem = schema_problem(getattr(op, field))
        if problem:
            errors.append({"key": f"{base}/{field}", "message": problem})
    return errors


def _auth_errors(auth: Auth | None, prefix: str) -> list[dict[str, str]]:
    if isinstance(auth, ApiKeyAuth):
        key = _key(prefix, "auth", "header")
        if not _TOKEN.match(auth.header):
            return [{"key": key, "message": "is not a valid header name"}]
        if auth.header.lower() in RESERVED_HEADERS:
            return [{"key": key, "message": "is set by the client and cannot be configured"}]
        if _UNSENDABLE(auth.prefix):
            return [{"key": _key(prefix, "auth", "prefix"), "message": _HEADER_RULE}]
    if isinstance(auth, BasicAuth) and ":" in auth.username:
        return [{"key": _key(prefix, "auth", "username"), "message": "must not contain ':'"}]
    return []


def _base_url_errors(base_url: str, prefix: str) -> list[dict[str, str]]:
    key = _key(prefix, "base_url")
    try:
        parts = urlsplit(base_url)
    except ValueError as exc:  # e.g. "[169.254.169.254]": check_network says more
        return [{"key": key, "message": f"is not a valid URL: {exc}"}]
    if parts.query or parts.fragment or base_url.endswith(("?", "#")):
        return [{"key": key, "message": "must not have a query or fragment; use query"}]
    return []


def _parse(config: Any, prefix: str) -> HttpConfig:
    errors = instance_errors(CONFIG_SCHEMA, config, prefix=prefix)
    if errors:
        raise ValidationFailed("The connector config is not valid.", errors=errors)
    try:
        parsed = msgspec.convert(config, HttpConfig)
    except msgspec.ValidationError as exc:  # the schema above should have caught it
        raise ValidationFailed(
            "The connector config is not valid.", errors=[{"key": prefix, "message": str(exc)}]
        ) from exc
    errors = _base_url_errors(parsed.base_url, prefix)
    errors += _header_errors(parsed.headers, _key(prefix, "headers"))
    errors += _auth_errors(parsed.auth, prefix)
    for name, op in parsed.operations.items():
        errors += _operation_errors(name, op, prefix)
    if errors:
        raise ValidationFailed("The connector config is not valid.", errors=errors)
    return parsed


_CACHE_SIZE = 512
# Equal configs (by canonical JSON) share one parse; the parse keeps the config's own order.
_by_canonical: dict[bytes, HttpConfig] = {}
# id(config) -> (config, parsed); holding the config keeps its id from being reused.
_by_identity: dict[int, tuple[object, HttpConfig]] = {}
_identity_lock = threading.Lock()


def parse_config(config: Mapping[str, Any] | HttpConfig, *, prefix: str = "/config") -> HttpConfig:
    """The config as an ``HttpConfig``, or ``ValidationFailed`` listing every problem.

    Checks structure, templates, header names and schemas, not the network
    (see ``check_network``). Cached: parse once per connector version and keep
    the result for the fastest calls. Error keys are JSON pointers under ``prefix``.
    """
    if isinstance(config, HttpConfig):
        return config
    hit = _by_identity.get(id(config))
    if hit is not None and hit[0] is config:
        return hit[1]
    if prefix != "/config":
        return _parse(config, prefix)
    try:
        canonical = msgspec.json.encode(config, order="sorted")
    except (TypeError, msgspec.EncodeError):
        return _parse(config, prefix)
    parsed = _by_canonical.get(canonical)
    if parsed is None:
        parsed = _parse(config, prefix)
    with _identity_lock:
        if len(_by_identity) >= _CACHE_SIZE:
            _by_identity.clear()
        if len(_by_canonical) >= _CACHE_SIZE:
            _by_canonical.clear()
        _by_identity[id(config)] = (config, parsed)
        _by_canonical[canonical] = parsed
    return parsed


def check_network(config: HttpConfig, network: NetworkPolicy, *, prefix: str = "/config") -> None:
    """Refuse (422) a ``base_url`` the deployment's address policy forbids."""
    problem = network.url_problem(config.base_url)
    if problem:
        raise ValidationFailed(
            "The connector's base_url is not allowed.",
            errors=[{"key": _key(prefix, "base_url"), "message": problem}],
        )


def operations(config: HttpConfig) -> dict[str, OperationType]:
    """The operations a config declares, as connector-type data."""
    return {
        name: OperationType(
            description=op.description,
            payload_schema=op.payload_schema,
            output_schema=op.output_schema,
            idempotent=op.is_idempotent,
        )
        for name, op in config.operations.items()
    }


def secret_names(config: HttpConfig) -> set[str]:
    """The secret names the config's auth reads."""
    auth = config.auth
    if isinstance(auth, BearerAuth | ApiKeyAuth):
        return {auth.secret}
    if isinstance(auth, BasicAuth):
        return {auth.password_secret} | ({auth.username_secret} if auth.username_secret else set())
    return set()


class HttpHandler:
    """The ``http`` type's config side; its calls take the executor's HTTP path."""

    connector_type = HTTP_TYPE

    def parse_config(self, config: Mapping[str, Any]) -> HttpConfig:
        """See ``parse_config``."""
        return parse_config(config)

    def check_network(self, parsed: HttpConfig, network: NetworkPolicy) -> None:
        """See ``check_network``."""
        check_network(parsed, network)

    def operations(self, parsed: HttpConfig) -> Mapping[str, OperationType]:
        """See ``operations``."""
        return operations(parsed)

    def secret_names(self, parsed: HttpConfig) -> set[str]:
        """See ``secret_names``."""
        return secret_names(parsed)


HANDLER = HttpHandler()


# -- rendering ---------------------------------------------------------------------------------


class _Renderer:
    """Fills templates from one payload, collecting every problem instead of stopping at one."""

    __slots__ = ("errors", "members", "payload")

    def __init__(self, payload: Any) -> None:
        self.payload = payload
        self.members: Mapping[str, Any] | None = payload if isinstance(payload, dict) else None
        self.errors: list[dict[str, str]] = []

    def _fail(self, name: str, message: str) -> None:
        self.errors.append({"key": f"/payload/{escape_pointer_token(name)}", "message": message})

    def value(self, placeholder: Placeholder, where: str) -> tuple[bool, Any]:
        """``(True, value)``, or ``(False, None)`` when absent (an error unless optional)."""
        if placeholder.name == WHOLE_PAYLOAD:
            return True, self.payload
        value = None if self.members is None else self.members.get(placeholder.name)
        if value is None:
            if not placeholder.optional:
                self._fail(placeholder.name, f"is required by the operation's {where}")
            return False, None
        return True, value

    def text(self, template: Template, where: str) -> str:
        """The template filled in as text; placeholders encoded for ``where``."""
        out: list[str] = []
        for part in template.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            found, value = self.value(part, where)
            if not found:
                continue
            text = scalar_text(value)
            if text is None:
                self._fail(part.name, f"must be a string, number or boolean in the {where}")
                continue
            if where == "path":
                if text in ("", ".", ".."):
                    self._fail(part.name, "must not be empty, '.' or '..' in the path")
                    continue
                text = quote(text, safe="")
            elif where == "headers" and _UNSENDABLE(text):
                self._fail(part.name, f"{_HEADER_RULE} (it fills a header)")
                continue
            out.append(text)
        return "".join(out)

    def query(self, params: Mapping[str, str]) -> str:
        """The encoded query string (without ``?``)."""
        pairs: list[tuple[str, str]] = []
        for name, text in params.items():
            template = parse_template(text)
            whole = template.whole
            if whole is None:
                pairs.append((name, self.text(template, "query")))
                continue
            found, value = self.value(whole, "query")
            if not found:
                continue
            values = value if isinstance(value, list) else [value]
            for item in values:
                rendered = scalar_text(item)
                if rendered is None:
                    self._fail(whole.name, "must be a scalar or a list of scalars in the query")
                    break
                pairs.append((name, rendered))
        return urlencode(pairs, quote_via=quote)

    def body(self, node: Any) -> Any:
        """A JSON body template filled in; whole placeholders keep the value's type."""
        if isinstance(node, str):
            template = parse_template(node)
            whole = template.whole
            if whole is None:
                return self.text(template, "body")
            found, value = self.value(whole, "body")
            return value if found else _OMIT
        if isinstance(node, dict):
            filled = {key: self.body(value) for key, value in node.items()}
            return {key: value for key, value in filled.items() if value is not _OMIT}
        if isinstance(node, list):
            return [None if (v := self.body(item)) is _OMIT else v for item in node]
        return node


def _auth_header(
    auth: Auth, secrets: Mapping[str, str], errors: list[dict[str, str]]
) -> tuple[str, str] | None:
    def secret(name: str) -> str | None:
        value = secrets.get(name)
        key = f"/secrets/{escape_pointer_token(name)}"
        if value is None:
            errors.append({"key": key, "message": "is not set for this connector"})
            return None
        if _UNSENDABLE(value):
            errors.append({"key": key, "message": _HEADER_RULE})
            return None
        return value

    if isinstance(auth, BearerAuth):
        token = secret(auth.secret)
        return None if token is None else ("Authorization", f"Bearer {token}")
    if isinstance(auth, ApiKeyAuth):
        key = secret(auth.secret)
        return None if key is None else (auth.header, f"{auth.prefix}{key}")
    password = secret(auth.password_secret)
    username = secret(auth.username_secret) if auth.username_secret else auth.username
    if password is None or username is None:
        return None
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return "Authorization", f"Basic {token}"


def render_request(
    config: HttpConfig | Mapping[str, Any],
    operation: str,
    payload: Any,
    secrets: Mapping[str, str],
) -> UpstreamRequest:
    """The upstream request for ``operation`` with ``payload`` (pure; no I/O).

    Raises ``ValidationFailed`` (422) listing every problem: an unknown
    operation, a payload member a template needs but lacks, a value that
    cannot go where its placeholder is, CR/LF in a header, a missing secret.
    """
    parsed = parse_config(config)
    op = parsed.operations.get(operation)
    if op is None:
        raise ValidationFailed(
            f"The connector has no operation {operation!r}.",
            errors=[{"key": "/operation", "message": "is not an operation of this connector"}],
        )
    renderer = _Renderer(payload)
    url = parsed.base_url.rstrip("/")
    if op.path:
        path = renderer.text(parse_template(op.path), "path")
        if not path.isascii():  # non-ASCII literal parts; placeholders are already encoded
            path = quote(path, safe=_PATH_LITERAL_SAFE)
        url += path if path.startswith("/") else "/" + path
    if op.query:
        query = renderer.query(op.query)
        if query:
            url += "?" + query

    headers: dict[str, str] = {}
    lower: dict[str, str] = {}
    for source in (parsed.headers, op.headers):
        for name, text in source.items():
            template = parse_template(text)
            whole = template.whole
            if whole is not None and whole.optional and not renderer.value(whole, "headers")[0]:
                continue  # an optional header whose member is absent is left out
            value = renderer.text(template, "headers")
            previous = lower.get(name.lower())
            if previous is not None:
                del headers[previous]
            headers[name] = value
            lower[name.lower()] = name
    if parsed.auth is not None:
        header = _auth_header(parsed.auth, secrets, renderer.errors)
        if header is not None:
            previous = lower.get(header[0].lower())
            if previous is not None:
                del headers[previous]
            headers[header[0]] = header[1]
            lower[header[0].lower()] = header[0]

    body: bytes | None = None
    if op.body is UNSET:
        document: Any = payload if op.method in BODY_METHODS else None
        has_body = op.method in BODY_METHODS
    else:
        document = None if op.body is None else renderer.body(op.body)
        has_body = op.body is not None
    if renderer.errors:
        raise ValidationFailed(
            f"The request for operation {operation!r} cannot be built from this payload.",
            errors=renderer.errors,
        )
    if has_body:
        if op.body_encoding == "form":
            body, content_type = _form_body(document), "application/x-www-form-urlencoded"
        else:
            body, content_type = msgspec.json.encode(document), "application/json"
        if "content-type" not in lower:
            headers["Content-Type"] = content_type
    return UpstreamRequest(method=op.method, url=url, headers=headers, body=body)


def _form_body(document: Any) -> bytes:
    if not isinstance(document, dict):
        raise ValidationFailed(
            "A form body must be an object.",
            errors=[{"key": "/payload", "message": "must be an object for a form body"}],
        )
    pairs: list[tuple[str, str]] = []
    errors: list[dict[str, str]] = []
    for name, value in document.items():
        for item in value if isinstance(value, list) else [value]:
            text = "" if item is None else scalar_text(item)
            if text is None:
                errors.append(
                    {
                        "key": f"/payload/{escape_pointer_token(name)}",
                        "message": "must be a scalar or a list of scalars in a form body",
                    }
                )
                break
            pairs.append((name, text))
    if errors:
        raise ValidationFailed("The form body cannot be encoded.", errors=errors)
    return urlencode(pairs).encode("ascii")


def parse_response_body(headers: Mapping[str, str], body: bytes) -> Any:
    """The upstream's body: JSON when its content type says so, else text; None when empty."""
    if not body:
        return None
    content_type = (headers.get("Content-Type") or headers.get("content-type") or "").lower()
    media_type = content_type.split(";", 1)[0].strip()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError:
            pass
    charset = "utf-8"
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";", 1)[0].strip().strip('"')
    try:
        return body.decode(charset, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")
