"""The structured diff of two configuration snapshots (resources by kind and name, fields
by JSON Pointer) and its one-line summary."""

from __future__ import annotations

from typing import Any

import msgspec

from orchestrator.core.versions.diff import (
    FieldChange,
    ResourceChange,
    diff,
    escape,
    field_changes,
    summary,
)


def snapshot(**members: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "tenant": {"quotas": {"rps": 10}},
        "policies": [{"name": "default", "spec": {"timeout_ms": 1000}}],
        "connectors": [
            {"name": "billing", "type": "http", "config": {"base_url": "http://a"}},
            {"name": "stripe", "type": "http", "config": {"base_url": "http://s"}},
        ],
    }
    return {**base, **members}


def test_identical_snapshots_differ_in_nothing() -> None:
    assert diff(snapshot(), snapshot()) == []
    assert summary([]) == "no change"


def test_added_removed_and_changed_resources_are_named_by_kind_and_name() -> None:
    before = snapshot()
    after = snapshot(
        connectors=[
            {"name": "billing", "type": "http", "config": {"base_url": "http://b"}},
            {"name": "mail", "type": "smtp", "config": {}},
        ]
    )
    assert diff(before, after) == [
        ResourceChange(
            kind="connectors",
            name="billing",
            change="changed",
            fields=[FieldChange(pointer="/config/base_url", before="http://a", after="http://b")],
        ),
        ResourceChange(kind="connectors", name="mail", change="added"),
        ResourceChange(kind="connectors", name="stripe", change="removed"),
    ]
    assert summary(diff(before, after)) == "connectors ~billing +mail -stripe"


def test_a_member_missing_on_one_side_counts_as_empty_and_singletons_are_resources() -> None:
    before = snapshot()
    after = {**snapshot(tenant={"quotas": {"rps": 20}}), "schedules": [{"name": "nightly"}]}
    del after["policies"]
    changes = diff(before, after)
    assert [(c.kind, c.name, c.change) for c in changes] == [
        ("tenant", "tenant", "changed"),
        ("policies", "default", "removed"),
        ("schedules", "nightly", "added"),
    ]
    assert changes[0].fields == [FieldChange(pointer="/quotas/rps", before=10, after=20)]
    assert summary(changes) == "tenant ~tenant; policies -default; schedules +nightly"


def test_fields_are_addressed_by_json_pointer_with_escaped_tokens() -> None:
    before = {"headers": {"a/b": "1", "m~n": "2"}, "steps": [{"op": "x"}, {"op": "y"}]}
    after = {"headers": {"a/b": "3"}, "steps": [{"op": "x"}, {"op": "z"}, {"op": "w"}]}
    assert field_changes(before, after) == [
        FieldChange(pointer="/headers/a~1b", before="1", after="3"),
        FieldChange(pointer="/headers/m~0n", before="2"),
        FieldChange(pointer="/steps/1/op", before="y", after="z"),
        FieldChange(pointer="/steps/2", after={"op": "w"}),
    ]
    assert escape("~/") == "~0~1"


def test_a_change_of_json_kind_is_a_change_even_where_python_calls_them_equal() -> None:
    assert field_changes({"on": True}, {"on": 1}) == [
        FieldChange(pointer="/on", before=True, after=1)
    ]
    assert field_changes({"limit": {"n": 1}}, {"limit": 5}) == [
        FieldChange(pointer="/limit", before={"n": 1}, after=5)
    ]


def test_a_field_present_on_one_side_only_encodes_without_the_other() -> None:
    removed, added = field_changes({"a": 1}, {"b": None})
    assert msgspec.json.decode(msgspec.json.encode(removed)) == {"pointer": "/a", "before": 1}
    assert msgspec.json.decode(msgspec.json.encode(added)) == {"pointer": "/b", "after": None}


def test_a_webhook_source_is_a_resource_and_its_bindings_its_fields() -> None:
    source = {
        "name": "billing",
        "id": "0b6f9c1e-0000-4000-8000-000000000001",
        "secret_refs": ["signing"],
        "bindings": [{"action": "job", "connector": "orders", "event_types": []}],
    }
    rotated = {
        **source,
        "secret_refs": ["signing", "signing-next"],
        "bindings": [{"action": "job", "connector": "orders", "event_types": ["charge"]}],
    }
    changes = diff(snapshot(webhook_sources=[source]), snapshot(webhook_sources=[rotated]))
    assert changes == [
        ResourceChange(
            kind="webhook_sources",
            name="billing",
            change="changed",
            fields=[
                FieldChange(pointer="/secret_refs/1", after="signing-next"),
                FieldChange(pointer="/bindings/0/event_types/0", after="charge"),
            ],
        )
    ]
    assert summary(changes) == "webhook_sources ~billing"
