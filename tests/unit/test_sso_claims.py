"""Single sign-on claims: which organization and role an identity provider's groups give, and
the operator name of its ``sub``."""

from __future__ import annotations

import re

import pytest

from orchestrator.core.auth.claims import OperatorRole
from orchestrator.core.auth.sso import (
    Assignment,
    NoAssignment,
    assignment,
    claim_values,
    operator_name,
    parse_value,
)

# What control-api/operators/schemas.py accepts as an operator name.
OPERATOR_NAME = re.compile(r"^[a-z0-9][a-z0-9:._-]*$(?!\n)")


def test_one_value_gives_its_organization_and_role() -> None:
    claims = {"groups": ["staff", "orchestrator:acme:Support", "vpn-users"]}
    assert assignment(claims, "groups") == Assignment("acme", OperatorRole.SUPPORT)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["ReadOnlyAuditor", "OperatorAdmin"], OperatorRole.OPERATOR_ADMIN),
        (["BillingAdmin", "Support"], OperatorRole.SUPPORT),
        (["ReadOnlyAuditor", "BillingAdmin"], OperatorRole.BILLING_ADMIN),
        (["ReadOnlyAuditor"], OperatorRole.READ_ONLY_AUDITOR),
    ],
)
def test_the_highest_role_wins(roles: list[str], expected: OperatorRole) -> None:
    claims = {"groups": [f"orchestrator:acme:{role}" for role in roles]}
    assert assignment(claims, "groups").role is expected


def test_break_glass_is_never_granted_by_a_claim() -> None:
    assert parse_value("orchestrator:acme:BreakGlassAdmin") is None
    claims = {"groups": ["orchestrator:acme:BreakGlassAdmin", "orchestrator:acme:ReadOnlyAuditor"]}
    assert assignment(claims, "groups").role is OperatorRole.READ_ONLY_AUDITOR
    with pytest.raises(NoAssignment):
        assignment({"groups": ["orchestrator:acme:BreakGlassAdmin"]}, "groups")


@pytest.mark.parametrize(
    "value",
    [
        "acme:OperatorAdmin",
        "orchestrator:acme",
        "orchestrator::OperatorAdmin",
        "orchestrator:acme:operatoradmin",
        "orchestrator:acme:Owner",
        "Orchestrator:acme:OperatorAdmin",
        "",
    ],
)
def test_values_of_another_shape_are_ignored(value: str) -> None:
    assert parse_value(value) is None
    with pytest.raises(NoAssignment, match="no role here"):
        assignment({"groups": [value]}, "groups")


def test_an_organization_name_may_hold_colons() -> None:
    assert parse_value("orchestrator:eu:acme:Support") == Assignment(
        "eu:acme", OperatorRole.SUPPORT
    )


def test_no_claim_at_all_says_which_claim_was_read() -> None:
    with pytest.raises(NoAssignment, match="`roles` claim"):
        assignment({"sub": "alice"}, "roles")


def test_several_organizations_are_refused_and_named() -> None:
    claims = {"groups": ["orchestrator:acme:OperatorAdmin", "orchestrator:globex:Support"]}
    with pytest.raises(NoAssignment, match=r"several organizations \(acme, globex\)"):
        assignment(claims, "groups")


def test_a_single_string_claim_counts_and_other_types_do_not() -> None:
    assert claim_values({"role": "orchestrator:acme:Support"}, "role") == [
        "orchestrator:acme:Support"
    ]
    assert claim_values({"groups": ["a", 7, None, {"x": 1}, "b"]}, "groups") == ["a", "b"]
    assert claim_values({"groups": {"a": "b"}}, "groups") == []
    assert claim_values({"groups": 42}, "groups") == []


def test_a_dotted_claim_reaches_into_nested_objects() -> None:
    claims = {"realm_access": {"roles": ["orchestrator:acme:Support"]}}
    assert assignment(claims, "realm_access.roles").organization == "acme"
    assert claim_values({"realm_access": ["x"]}, "realm_access.roles") == []


def test_a_literal_claim_name_with_dots_wins_over_the_path() -> None:
    # Auth0 and others namespace custom claims with URLs, dots included.
    claims = {
        "https://example.com/groups": ["orchestrator:acme:Support"],
        "https://example": {"com/groups": ["orchestrator:globex:Support"]},
    }
    assert assignment(claims, "https://example.com/groups").organization == "acme"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("alice", "sso:alice"),
        ("248289761001", "sso:248289761001"),
        ("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "sso:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
        ("Alice", "sso:_41lice"),
        ("a_b", "sso:a_5fb"),
        ("a b", "sso:a_20b"),
        ("é", "sso:_c3_a9"),
        ("auth0|5f7c8ec7c33c6c004bbafe82", "sso:auth0_7c5f7c8ec7c33c6c004bbafe82"),
    ],
)
def test_operator_names_follow_the_operator_name_rules(subject: str, expected: str) -> None:
    name = operator_name(subject)
    assert name == expected
    assert OPERATOR_NAME.search(name)
    assert len(name) <= 200


def test_distinct_subjects_get_distinct_names() -> None:
    # Case matters in a `sub`; an escape must not be forgeable by a literal subject.
    subjects = ["Alice", "alice", "_41lice", "a_b", "a_5fb", "A", "_41", "__", "_5f"]
    names = [operator_name(subject) for subject in subjects]
    assert len(set(names)) == len(subjects)


def test_a_long_subject_becomes_a_digest_no_escape_can_produce() -> None:
    long_subject = "x" * 300
    name = operator_name(long_subject)
    assert name.startswith("sso:_h")
    assert len(name) == len("sso:_h") + 64
    assert OPERATOR_NAME.search(name)
    assert operator_name("y" * 300) != name
    # Escapes are "_" and two hex digits, never "_h": a short subject cannot collide.
    assert not operator_name("_h" + name[6:]).startswith("sso:_h")
