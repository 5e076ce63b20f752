"""Single sign-on: what an identity provider's claims make of a person here.

Pure rules, no I/O. An ID token's role claim (``groups`` unless configured otherwise)
carries values ``orchestrator:<organization>:<Role>``; the person becomes the operator
``sso:<sub>`` of that organization with that role. Values of any other shape are someone
else's groups and are ignored. ``BreakGlassAdmin`` is never granted this way: the
emergency role stays with named operators that hold a client secret.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.core.auth.claims import OperatorRole

CLAIM_PREFIX = "orchestrator:"
OPERATOR_PREFIX = "sso:"
OPERATOR_NAME_MAX = 200
"""The length of ``operators.name``."""

ROLE_RANK: tuple[OperatorRole, ...] = (
    OperatorRole.OPERATOR_ADMIN,
    OperatorRole.SUPPORT,
    OperatorRole.BILLING_ADMIN,
    OperatorRole.READ_ONLY_AUDITOR,
)
"""The roles single sign-on grants, highest first: the highest named for an organization wins."""

_PLAIN = re.compile(r"[a-z0-9.:-]")


class NoAssignment(ValueError):
    """The claims give the person no role here; the message says why, for the sign-in page."""


@dataclass(frozen=True)
class Assignment:
    """The organization (by name) and role the identity provider gives a person."""

    organization: str
    role: OperatorRole


def claim_values(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The strings of ``claim``: a string or a list of them; a dotted name (``realm_access.roles``)
    reaches into nested objects when no claim has that literal name."""
    value: Any = claims.get(claim)
    if value is None and "." in claim:
        value = claims
        for part in claim.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def parse_value(value: str) -> Assignment | None:
    """``orchestrator:<organization>:<Role>`` as an assignment; None for any other value.

    The role is after the last colon, so an organization name may hold colons.
    """
    if not value.startswith(CLAIM_PREFIX):
        return None
    organization, sep, role = value[len(CLAIM_PREFIX) :].rpartition(":")
    if not sep or not organization:
        return None
    try:
        granted = OperatorRole(role)
    except ValueError:
        return None
    return Assignment(organization, granted) if granted in ROLE_RANK else None


def assignment(claims: Mapping[str, Any], claim: str) -> Assignment:
    """The one organization the claims name and the highest role they give there.

    ``NoAssignment`` when no value names an organization, or when values name several
    (the console has no way to ask which one the person meant).
    """
    found = [parsed for value in claim_values(claims, claim) if (parsed := parse_value(value))]
    organizations = sorted({item.organization for item in found})
    if not organizations:
        raise NoAssignment(
            f"Your identity provider gives you no role here: the `{claim}` claim holds no "
            "value of the form orchestrator:<organization>:<role>."
        )
    if len(organizations) > 1:
        raise NoAssignment(
            f"Your identity provider gives you roles in several organizations "
            f"({', '.join(organizations)}); single sign-on needs exactly one."
        )
    role = min((item.role for item in found), key=ROLE_RANK.index)
    return Assignment(organizations[0], role)


def operator_name(subject: str) -> str:
    """The operator name of an identity provider's ``sub``: ``sso:<sub>``.

    Operator names are lower-case ``[a-z0-9:._-]``, while a ``sub`` is any string up to
    255 characters, case-sensitive. Every character outside ``[a-z0-9.:-]`` is written
    ``_`` and two hex digits per UTF-8 byte (``A`` is ``_41``, ``_`` is ``_5f``), which
    keeps distinct subjects distinct. A name that would still be too long is ``sso:_h``
    and a SHA-256 digest of the ``sub``; no escape starts ``_h``, so it cannot meet one.
    """
    escaped = "".join(
        char if _PLAIN.fullmatch(char) else "".join(f"_{byte:02x}" for byte in char.encode())
        for char in subject
    )
    name = OPERATOR_PREFIX + escaped
    if not subject or len(name) > OPERATOR_NAME_MAX:
        return f"{OPERATOR_PREFIX}_h{hashlib.sha256(subject.encode()).hexdigest()}"
    return name
