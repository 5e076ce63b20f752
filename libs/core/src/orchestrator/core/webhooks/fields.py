"""Reading event ids, types and routing values out of a verified delivery."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import parse_qsl

import msgspec

from orchestrator.core.jsonbounds import STORED_DEPTH, refuse_too_deep
from orchestrator.core.webhooks.spec import Body, Header, Sources

Document = Mapping[str, object]

_FORM = "application/x-www-form-urlencoded"
_MAX_FORM_FIELDS = 1_000


def decode_body(
    body: bytes, content_type: str | None, *, max_depth: int = STORED_DEPTH
) -> Document:
    """The body as a mapping: a JSON object, else a form's fields, else empty.

    Called only once the signature holds. Form bodies (Slack slash commands) keep each
    field's first value; anything else (a JSON array, text, bad UTF-8) reads as empty.
    JSON nested deeper than ``max_depth`` is never parsed: ``JsonTooDeep`` (400).
    """
    if body.lstrip()[:1] in (b"{", b"["):  # only what the JSON parser would descend into
        refuse_too_deep(body, max_depth)
    try:
        decoded = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):  # msgspec's error for bad UTF-8
        decoded = None
    if isinstance(decoded, dict):
        return decoded
    if decoded is None and content_type and content_type.lower().startswith(_FORM):
        try:
            pairs = parse_qsl(body.decode(), max_num_fields=_MAX_FORM_FIELDS)
        except ValueError:  # includes UnicodeDecodeError
            return {}
        form: dict[str, object] = {}
        for name, value in pairs:
            form.setdefault(name, value)
        return form
    return {}


def pick(sources: Sources, headers: Mapping[str, str], doc: Document) -> str | None:
    """The first source present as a non-empty string or an integer, as a string."""
    for source in sources:
        value = _read(source, headers, doc)
        if isinstance(value, bool):  # a bool is an int to Python, never an id to us
            continue
        if isinstance(value, int) or (isinstance(value, str) and value):
            return str(value)
    return None


def body_digest(body: bytes) -> str:
    """The dedupe id of a delivery that names none: ``sha256:<hex>`` of the raw body."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _read(source: Header | Body, headers: Mapping[str, str], doc: Document) -> object:
    if isinstance(source, Header):
        return headers.get(source.name)
    node: object = doc
    for key in source.path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node
