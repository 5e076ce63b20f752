"""GCRA (docs/protocols.md §4) and its response headers, on an injected clock."""

from __future__ import annotations

import math

import pytest

from orchestrator.core.policy.admission import Admission, RateLimitInfo
from orchestrator.core.policy.gcra import US, GcraDecision, GcraParams, gcra_decide
from orchestrator.core.policy.headers import admission_headers
from orchestrator.core.policy.model import RateLimitPolicy, TenantQuota
from orchestrator.core.policy.quota import queue_depth_allows

T0 = 1_750_000_000 * US


def burst(params: GcraParams, count: int, now: int = T0) -> list[GcraDecision]:
    """``count`` requests at the same instant."""
    decisions: list[GcraDecision] = []
    tat: int | None = None
    for _ in range(count):
        decision = gcra_decide(params, tat, now)
        tat = decision.tat_us
        decisions.append(decision)
    return decisions


@pytest.mark.parametrize(("limit", "extra"), [(5, 3), (10, 1), (1, 4)])
def test_burst_beyond_the_limit_gets_exactly_the_extra_refused(limit: int, extra: int) -> None:
    params = GcraParams.of_policy(RateLimitPolicy(limit=limit, period_s=2.0))
    decisions = burst(params, limit + extra)
    assert [d.allowed for d in decisions] == [True] * limit + [False] * extra
    assert [d.remaining for d in decisions] == [*range(limit - 1, -1, -1), *[0] * extra]
    interval = 2.0 / limit
    for refused in decisions[limit:]:
        # tat' - tau - now: one emission interval after the burst's start
        assert refused.retry_after_us == round(interval * US)
        assert refused.reset_us == 2 * US


def test_waiting_the_retry_after_admits_again() -> None:
    params = GcraParams.of(5, 1.0)
    tat = T0
    for _ in range(5):
        tat = gcra_decide(params, tat, T0).tat_us
    refused = gcra_decide(params, tat, T0)
    assert not refused.allowed
    assert not gcra_decide(params, tat, T0 + refused.retry_after_us - 1).allowed
    later = gcra_decide(params, tat, T0 + refused.retry_after_us)
    assert later.allowed
    assert later.remaining == 0


def test_requests_at_the_sustained_rate_are_never_refused() -> None:
    params = GcraParams.of(10, 1.0, burst=1)
    tat = None
    for i in range(100):
        decision = gcra_decide(params, tat, T0 + i * params.emission_us)
        assert decision.allowed
        tat = decision.tat_us
    assert not gcra_decide(params, tat, T0 + 99 * params.emission_us + 1).allowed


def test_an_idle_limit_starts_afresh_and_burst_defaults_to_limit() -> None:
    params = GcraParams.of(3, 1.0)
    assert params.tolerance_us == 3 * params.emission_us
    stale = T0 - 3600 * US
    assert gcra_decide(params, stale, T0).remaining == 2
    narrow = GcraParams.of(3, 1.0, burst=1)
    assert [d.allowed for d in burst(narrow, 2)] == [True, False]


def test_tenant_quota_is_a_one_second_limit() -> None:
    params = GcraParams.of_quota(TenantQuota(rps=50))
    assert params is not None
    assert (params.limit, params.period_s, params.emission_us) == (50, 1.0, 20_000)
    assert GcraParams.of_quota(TenantQuota()) is None


def test_refusal_headers_follow_the_ietf_draft() -> None:
    params = GcraParams.of(5, 1.0)
    decision = burst(params, 6)[-1]
    admission = Admission(
        allowed=False,
        reason="rate_limited",
        retry_after_s=decision.retry_after_us / US,
        rate_limit=RateLimitInfo(5, 1.0, decision.remaining, decision.reset_us / US),
    )
    assert admission_headers(admission) == {
        "Retry-After": "1",
        "RateLimit-Policy": '"default";q=5;w=1',
        "RateLimit": '"default";r=0;t=1',
    }


def test_headers_round_up_and_an_admitted_call_has_no_retry_after() -> None:
    info = RateLimitInfo(limit=100, window_s=60.0, remaining=41, reset_s=35.2)
    assert admission_headers(Admission(allowed=True, rate_limit=info)) == {
        "RateLimit-Policy": '"default";q=100;w=60',
        "RateLimit": '"default";r=41;t=36',
    }
    breaker = Admission(allowed=False, reason="breaker_open", retry_after_s=2.000001)
    assert admission_headers(breaker) == {"Retry-After": "3"}
    assert admission_headers(Admission(allowed=True)) == {}


def test_retry_after_header_is_the_ceiling_of_the_exact_wait() -> None:
    params = GcraParams.of(3, 10.0)  # T = 3.33 s
    refused = burst(params, 4)[-1]
    seconds = refused.retry_after_us / US
    header = admission_headers(Admission(allowed=False, retry_after_s=seconds))["Retry-After"]
    assert header == str(math.ceil(seconds)) == "4"


@pytest.mark.parametrize(
    ("quota", "depth", "expected"),
    [
        (None, 10**6, True),
        (TenantQuota(), 10**6, True),
        (TenantQuota(queue_depth=3), 2, True),
        (TenantQuota(queue_depth=3), 3, False),
    ],
)
def test_queue_depth_quota(quota: TenantQuota | None, depth: int, expected: bool) -> None:
    assert queue_depth_allows(quota, depth) is expected
