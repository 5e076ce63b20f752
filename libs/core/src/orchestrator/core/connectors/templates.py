"""The small template language of the ``http`` connector type.

A template is a string in which ``{name}`` stands for the payload's top-level
member ``name``:

- ``{name}``   required: a payload without ``name`` (or with ``null``) is a 422;
- ``{name?}``  optional: absent or ``null`` renders as nothing (and a query
  parameter, header or JSON body member whose whole value is ``{name?}`` is
  left out);
- ``{$}``      the whole payload (only as the whole of a JSON body value);
- ``{{``, ``}}`` literal braces.

Names are ``[A-Za-z_][A-Za-z0-9_-]*``; there is no nesting, no expression and
no filter. Values render as text: strings as they are, numbers and booleans
in their JSON form; objects and arrays only where a whole-placeholder keeps
the value (a JSON body member, or a query parameter, where an array repeats
the parameter). Where a value lands decides its encoding: percent-encoded as
one segment in a path, form-encoded in a query, verbatim in a header (only
visible ASCII, spaces and tabs: a control character such as CR, LF or NUL, or a
non-ASCII one, is refused with a 422).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import msgspec

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
WHOLE_PAYLOAD = "$"


class TemplateSyntaxError(ValueError):
    """A template that cannot be parsed."""


class Placeholder(msgspec.Struct, frozen=True):
    """``{name}`` or ``{name?}`` in a template."""

    name: str
    optional: bool = False


class Template(msgspec.Struct, frozen=True):
    """A parsed template: literal strings and placeholders, in order."""

    parts: tuple[str | Placeholder, ...]

    @property
    def whole(self) -> Placeholder | None:
        """The placeholder when the template is exactly one, else None."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Placeholder):
            return self.parts[0]
        return None

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        """The placeholders, in order."""
        return tuple(part for part in self.parts if isinstance(part, Placeholder))

    @property
    def is_literal(self) -> bool:
        """True when the template has no placeholder."""
        return all(isinstance(part, str) for part in self.parts)


@lru_cache(maxsize=8192)
def parse_template(text: str) -> Template:
    """Parse ``text`` (cached); ``TemplateSyntaxError`` says what is wrong."""
    parts: list[str | Placeholder] = []
    literal: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "{":
            if text.startswith("{{", i):
                literal.append("{")
                i += 2
                continue
            end = text.find("}", i + 1)
            if end < 0:
                raise TemplateSyntaxError(f"unclosed '{{' at offset {i}")
            inner = text[i + 1 : end]
            optional = inner.endswith("?")
            name = inner[:-1] if optional else inner
            if name != WHOLE_PAYLOAD and not _NAME.match(name):
                raise TemplateSyntaxError(
                    f"'{{{inner}}}' is not a placeholder: names are letters, digits, _ and -"
                )
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(Placeholder(name, optional))
            i = end + 1
        elif char == "}":
            if text.startswith("}}", i):
                literal.append("}")
                i += 2
                continue
            raise TemplateSyntaxError(f"unmatched '}}' at offset {i} (write '}}}}' for a brace)")
        else:
            literal.append(char)
            i += 1
    if literal:
        parts.append("".join(literal))
    return Template(tuple(parts))


def scalar_text(value: Any) -> str | None:
    """The text of a scalar payload value, or None for an object or array."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return msgspec.json.encode(value).decode()
    return None
