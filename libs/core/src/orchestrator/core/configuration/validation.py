"""Pure checks of configuration documents; each returns field errors instead of raising.

A field error is ``{"key": "/policies/0/spec/retry/max_attempts", "message": ...}`` (the
key a JSON pointer, as in payload validation), the shape of ``FieldError`` in problem
documents, so one request can list every error.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, TypeVar

import msgspec

from orchestrator.core.errors import ValidationFailed
from orchestrator.core.policy.model import PolicySpec, TenantQuota
from orchestrator.core.secrets.refs import InvalidRef, parse_ref
from orchestrator.core.secrets.scope import RefScope

FieldErrors = list[dict[str, str]]
T = TypeVar("T")

NAME_MAX = 100
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$(?!\n)"
"""Names of policies, connectors, secret refs and configs: they appear in URL paths."""
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX, pattern=NAME_PATTERN)]
"""A policy, connector, secret ref or config name, as request bodies type it."""
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
# msgspec reports where a value failed as "- at `$.a.b[0]`".
_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_FIELD = re.compile(r"^Object (?:contains unknown|missing required) field `(?P<field>[^`]+)`")


def at(prefix: str, *tokens: str | int) -> str:
    """The JSON pointer of ``tokens`` under the pointer ``prefix`` (RFC 6901 escaping)."""
    escaped = (str(t).replace("~", "~0").replace("/", "~1") for t in tokens)
    return prefix + "".join("/" + token for token in escaped)


_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def msgspec_errors(exc: msgspec.ValidationError, prefix: str) -> FieldErrors:
    """A msgspec validation error as a field error under the pointer ``prefix``."""
    match = _AT.match(str(exc))
    assert match is not None  # the pattern matches any text
    message = match.group("message")
    tokens: list[str | int] = [
        key or int(index) for key, index in _STEP.findall(match.group("path") or "")
    ]
    if field := _FIELD.match(message):
        tokens.append(field.group("field"))
    return [{"key": at(prefix, *tokens), "message": message}]


def under(prefix: str, errors: FieldErrors) -> FieldErrors:
    """``errors`` of one item, their keys moved under the item's pointer ``prefix``."""
    return [{**error, "key": prefix + error["key"]} for error in errors]


def convert(doc: Any, type_: type[T], where: str) -> tuple[T | None, FieldErrors]:
    """``doc`` as ``type_`` (strictly), or the field error that stops it."""
    try:
        return msgspec.convert(doc, type_), []
    except msgspec.ValidationError as exc:
        return None, msgspec_errors(exc, where)


def to_json_value(value: Any) -> Any:
    """``value`` as JSON builtins exactly as JSONB gives them back (lists, not tuples)."""
    return msgspec.json.decode(msgspec.json.encode(value))


def name_errors(name: str, where: str) -> FieldErrors:
    """Errors of a resource name (a URL path segment)."""
    if len(name) > NAME_MAX or not _NAME.fullmatch(name):
        return [
            {
                "key": where,
                "message": f"must be 1-{NAME_MAX} of a-z, 0-9, '-' and '_', "
                "starting with a letter or digit",
            }
        ]
    return []


def normalise_spec(doc: Any, where: str) -> tuple[dict[str, Any] | None, FieldErrors]:
    """A policy document as a complete ``PolicySpec`` (defaults filled in), or its error."""
    spec, errors = convert(doc, PolicySpec, where)
    return (None, errors) if spec is None else (to_json_value(spec), [])


def normalise_quota(doc: Any, where: str) -> tuple[TenantQuota | None, FieldErrors]:
    """A quota document as a ``TenantQuota``, or its error."""
    return convert(doc, TenantQuota, where)


def ref_errors(ref: str, where: str, scope: RefScope, tenant_id: uuid.UUID) -> FieldErrors:
    """Errors of a secret ref's text: its syntax, then what it may reach in the workspace
    ``tenant_id`` (``secrets/scope.py``, the rule the resolver applies again)."""
    try:
        why = scope.refusal(parse_ref(ref), tenant_id)
    except InvalidRef as exc:
        why = str(exc)
    return [] if why is None else [{"key": where, "message": why}]


def nul_errors(doc: Any, where: str) -> FieldErrors:
    """Strings and keys holding U+0000, which PostgreSQL's JSONB cannot store (first 10).

    Iterative, so a deeply nested document costs memory, never a RecursionError.
    """
    errors: FieldErrors = []
    pending: list[tuple[Any, str]] = [(doc, where)]
    while pending and len(errors) < 10:
        node, pointer = pending.pop()
        if isinstance(node, str):
            if "\x00" in node:
                errors.append({"key": pointer, "message": "must not contain U+0000"})
        elif isinstance(node, dict):
            for key, value in node.items():
                child = at(pointer, key)
                if "\x00" in key:
                    errors.append({"key": child, "message": "a key must not contain U+0000"})
                pending.append((value, child))
        elif isinstance(node, list):
            pending.extend((value, at(pointer, i)) for i, value in enumerate(node))
    return errors


def raise_if(errors: FieldErrors, detail: str = "The request is not valid.") -> None:
    """Raise a 422 listing ``errors``, if there are any."""
    if errors:
        raise ValidationFailed(detail, errors=errors)
