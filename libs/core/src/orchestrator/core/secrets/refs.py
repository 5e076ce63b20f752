"""Parsing of secret refs: ``env://NAME``, ``db://`` and ``vault://path#field`` (pure).

Syntax only: what a parsed ref may reach is decided by ``scope.RefScope.reach``.
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

Scheme = Literal["env", "db", "vault"]
SCHEMES: tuple[Scheme, ...] = ("env", "db", "vault")
DB_REF = "db://"

_ENV = re.compile(r"env://([A-Za-z_][A-Za-z0-9_]{0,254})")
# A Vault path is segments joined by single slashes, none of them empty, `.` or `..` (a
# segment needs one character that is not a dot), so it stays under the workspace's prefix.
_SEGMENT = r"\.*[A-Za-z0-9_-][A-Za-z0-9_.-]*"
_VAULT_PATH = rf"{_SEGMENT}(?:/{_SEGMENT})*"
_VAULT = re.compile(rf"vault://({_VAULT_PATH})#([A-Za-z0-9_.-]{{1,80}})")
REF_PATTERN = (
    r"^(env://[A-Za-z_][A-Za-z0-9_]{0,254}|db://"
    rf"|vault://{_VAULT_PATH}#[A-Za-z0-9_.-]{{1,80}})$(?!\n)"
)
"""The same grammar as a JSON Schema pattern, for API schemas."""


class ParsedRef(msgspec.Struct, frozen=True, kw_only=True):
    """A ref taken apart: ``target`` is the variable name or the vault path."""

    scheme: Scheme
    target: str = ""
    field: str = ""


class InvalidRef(ValueError):
    """The text is not a secret ref of a known scheme."""


def scheme_of(ref: str) -> Scheme | None:
    """The scheme ``ref`` names, even when the rest does not parse (a row stored earlier)."""
    for scheme in SCHEMES:
        if ref.startswith(f"{scheme}://"):
            return scheme
    return None


def parse_ref(ref: str) -> ParsedRef:
    """Take a ref apart, or raise ``InvalidRef`` saying what is accepted."""
    if ref == DB_REF:
        return ParsedRef(scheme="db")
    if match := _ENV.fullmatch(ref):
        return ParsedRef(scheme="env", target=match.group(1))
    if match := _VAULT.fullmatch(ref):
        return ParsedRef(scheme="vault", target=match.group(1), field=match.group(2))
    raise InvalidRef(
        "must be env://NAME (a variable name), db:// (the value is stored here) "
        "or vault://path#field (a path of plain segments, no `.`, `..` or `//`)"
    )
