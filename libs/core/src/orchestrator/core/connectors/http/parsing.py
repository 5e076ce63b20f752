"""Parsing an ``http`` connector's config: every check on it, and the parse cache.

``parse_config`` checks structure, templates, header names and schemas and lists
every problem at once; ``check_network`` applies the deployment's address policy
to the ``base_url``. Error keys are JSON pointers under the given prefix.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import msgspec
from msgspec import UNSET

from orchestrator.core.connectors.configs import refuse_address
from orchestrator.core.connectors.http.auth import ApiKeyAuth, Auth, BasicAuth
from orchestrator.core.connectors.http.config import CONFIG_SCHEMA, HttpConfig, HttpOperation
from orchestrator.core.connectors.http.headers import (
    HEADER_NAME,
    HEADER_RULE,
    RESERVED_HEADERS,
    unsendable,
)
from orchestrator.core.connectors.templates import (
    WHOLE_PAYLOAD,
    Template,
    TemplateSyntaxError,
    parse_template,
)
from orchestrator.core.connectors.validation import (
    escape_pointer_token,
    instance_errors,
    schema_problem,
)
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.upstream.ssrf import NetworkPolicy


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
        if not HEADER_NAME.match(name):
            errors.append({"key": key, "message": "is not a valid header name"})
        elif name.lower() in RESERVED_HEADERS:
            errors.append({"key": key, "message": "is set by the client and cannot be configured"})
        if unsendable(value):
            errors.append({"key": key, "message": HEADER_RULE})
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
        if not HEADER_NAME.match(auth.header):
            return [{"key": key, "message": "is not a valid header name"}]
        if auth.header.lower() in RESERVED_HEADERS:
            return [{"key": key, "message": "is set by the client and cannot be configured"}]
        if unsendable(auth.prefix):
            return [{"key": _key(prefix, "auth", "prefix"), "message": HEADER_RULE}]
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
    refuse_address(network.url_problem(config.base_url), "base_url", prefix=prefix)
