"""Rendering an ``http`` operation: a payload and secrets into an ``UpstreamRequest``.

Pure (no I/O). Every problem a payload has is collected and reported at once as a
422: a member a template needs but lacks, a value that cannot go where its
placeholder is, a header value the client will not send, a missing secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
from msgspec import UNSET

from orchestrator.core.connectors.http.auth import auth_header
from orchestrator.core.connectors.http.config import BODY_METHODS, HttpConfig
from orchestrator.core.connectors.http.headers import HEADER_RULE, unsendable
from orchestrator.core.connectors.http.parsing import parse_config
from orchestrator.core.connectors.templates import (
    WHOLE_PAYLOAD,
    Placeholder,
    Template,
    parse_template,
    scalar_text,
)
from orchestrator.core.connectors.validation import escape_pointer_token
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.upstream.client import UpstreamRequest

_PATH_LITERAL_SAFE = "/:@!$&'()*+,;=-._~%"
_OMIT = object()


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
            elif where == "headers" and unsendable(text):
                self._fail(part.name, f"{HEADER_RULE} (it fills a header)")
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
        header = auth_header(parsed.auth, secrets, renderer.errors)
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
