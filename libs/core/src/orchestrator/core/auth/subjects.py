"""Unambiguous names of token subjects, for subject-level revocation.

A token's ``sub`` alone does not say whose it is: operator names are unique only
within an organization (every bootstrap admin may be ``op:<org>-admin``, and two
organizations may each have an ``alice``), service identity names only within a
workspace, and an operator may even be called ``svc:…``. A revocation is therefore
keyed by what the token's other claims pin down:

- an operator's control token (``org`` claim): ``operator:<org>:<sub>``;
- an impersonation token (``act``, ADR 0043): ``operator:<act.org>:<act.sub>``, and its
  ``sub`` is that same operator;
- an exec token without ``act``: ``service:<tid>:<sub>``;
- a platform operator's token (no ``tid``, ADR 0051): ``platform:<sub>``.
"""

from __future__ import annotations

import uuid

from orchestrator.core.auth.claims import Principal

# Longest lifetime of an impersonation token (ADR 0043); the control-api's own cap.
IMPERSONATION_MAX_TTL_S = 3600


def operator_subject(organization_id: uuid.UUID, name: str) -> str:
    """The revocation key of an organization's operator."""
    return f"operator:{organization_id}:{name}"


def service_subject(workspace_id: uuid.UUID, name: str) -> str:
    """The revocation key of a workspace's service identity."""
    return f"service:{workspace_id}:{name}"


def platform_subject(name: str) -> str:
    """The revocation key of a platform operator."""
    return f"platform:{name}"


def subjects_of(principal: Principal) -> tuple[str, ...]:
    """The keys a subject revocation may name to refuse this token (one or two)."""
    if principal.is_platform:
        return (platform_subject(principal.subject),)
    if principal.impersonator is not None:
        org = principal.impersonator_organization_id
        if org is None:
            # Issued before ADR 0045 (no ``act.org``): nothing names it; it ends within an hour.
            return ()
        actor = operator_subject(org, principal.impersonator)
        subject = operator_subject(org, principal.subject)
        return (actor,) if subject == actor else (actor, subject)
    if principal.organization_id is not None:
        return (operator_subject(principal.organization_id, principal.subject),)
    return (service_subject(principal.tenant_id, principal.subject),)


def revocation_horizon_s(token_ttl_s: int, leeway_s: int) -> int:
    """How long after its moment a subject revocation can still refuse a token.

    The longest-lived token issued just before it (a control or exec token, or an
    impersonation) stays acceptable until its ``exp`` plus the verifiers' leeway.
    """
    return max(token_ttl_s, IMPERSONATION_MAX_TTL_S) + leeway_s
