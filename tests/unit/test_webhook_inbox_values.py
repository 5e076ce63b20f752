"""What a verified delivery's texts become before they are stored."""

from __future__ import annotations

import uuid

from orchestrator.core.webhooks.inbox import MAX_DEDUPE_ID, MAX_EVENT_TYPE, new_delivery, storable


def test_text_postgresql_cannot_hold_is_replaced_not_refused() -> None:
    assert storable("evt\x00id") == "evt\ufffdid"
    assert storable("lone \ud800 surrogate") == "lone ? surrogate"
    assert storable("plain évènement") == "plain évènement"


def test_an_overlong_event_id_is_hashed_so_distinct_ids_stay_distinct() -> None:
    def dedupe(event_id: str) -> str:
        return new_delivery(
            tenant_id=uuid.uuid4(),
            source_id=uuid.uuid4(),
            provider="stripe",
            dedupe_id=event_id,
            event_type="t" * 500,
            routing={"account": "acct\x00"},
            headers={"content-type": "application/json"},
            body=b"{}",
        ).dedupe_id

    long_a, long_b = "a" * 400 + "1", "a" * 400 + "2"
    assert dedupe("evt_1") == "evt_1"
    assert dedupe(long_a).startswith("sha256:")
    assert len(dedupe(long_a)) <= MAX_DEDUPE_ID
    assert dedupe(long_a) != dedupe(long_b)
    assert dedupe(long_a) == dedupe(long_a)


def test_event_type_is_cut_and_routing_values_cleaned() -> None:
    delivery = new_delivery(
        tenant_id=uuid.uuid4(),
        source_id=uuid.uuid4(),
        provider="slack",
        dedupe_id="Ev1",
        event_type="t" * 500,
        routing={"channel": "C\x001"},
        headers={"x-slack-signature": "v0=ab"},
        body=b"raw \x00 bytes stay",
    )
    assert delivery.event_type == "t" * MAX_EVENT_TYPE
    assert delivery.routing == {"channel": "C\ufffd1"}
    assert delivery.body == b"raw \x00 bytes stay"
