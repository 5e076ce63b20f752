"""What changed between two snapshots of a workspace's configuration.

A snapshot has a bundle's shape: each member is a list of named resources (``policies``,
``connectors``, …) or one object (``tenant``). The diff names each resource added,
removed or changed, and for a changed one each field that differs, addressed by JSON
Pointer (RFC 6901) inside the resource. Snapshots hold refs, never secret values, so
the values before and after can be shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import msgspec

Change = Literal["added", "removed", "changed"]

_MARKS: dict[Change, str] = {"added": "+", "removed": "-", "changed": "~"}


class FieldChange(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One field of a resource: its pointer, and its value on each side it exists on."""

    pointer: str
    before: Any = msgspec.UNSET
    after: Any = msgspec.UNSET


class ResourceChange(msgspec.Struct, frozen=True, kw_only=True):
    """One resource of a kind, and how it changed."""

    kind: str
    name: str
    change: Change
    fields: list[FieldChange] = msgspec.field(default_factory=list)


def escape(token: str) -> str:
    """``token`` as one JSON Pointer reference token (``~`` → ``~0``, ``/`` → ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def field_changes(before: Any, after: Any, pointer: str = "") -> list[FieldChange]:
    """Every leaf that differs between ``before`` and ``after``: objects member by member,
    lists item by item; a value whose JSON kind changed is one change."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        changes: list[FieldChange] = []
        for key in [*before, *(k for k in after if k not in before)]:
            where = f"{pointer}/{escape(str(key))}"
            if key not in after:
                changes.append(FieldChange(pointer=where, before=before[key]))
            elif key not in before:
                changes.append(FieldChange(pointer=where, after=after[key]))
            else:
                changes += field_changes(before[key], after[key], where)
        return changes
    if isinstance(before, list) and isinstance(after, list):
        changes = []
        for index in range(max(len(before), len(after))):
            where = f"{pointer}/{index}"
            if index >= len(after):
                changes.append(FieldChange(pointer=where, before=before[index]))
            elif index >= len(before):
                changes.append(FieldChange(pointer=where, after=after[index]))
            else:
                changes += field_changes(before[index], after[index], where)
        return changes
    if _same(before, after):
        return []
    return [FieldChange(pointer=pointer, before=before, after=after)]


def _same(before: Any, after: Any) -> bool:
    # JSON's true is not 1: Python's == would say they are equal.
    return type(before) is type(after) and bool(before == after)


def _resources(member: Any, kind: str) -> dict[str, Any]:
    """A member's resources by name: a list's items by their ``name``, an object as one
    resource named after its kind."""
    if isinstance(member, list):
        return {str(item["name"]): item for item in member}
    return {kind: member}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ResourceChange]:
    """The resources that differ from ``before`` to ``after``, by kind (in the snapshots'
    order) and name (sorted). A member missing from one side counts as empty."""
    changes: list[ResourceChange] = []
    for kind in [*before, *(k for k in after if k not in before)]:
        old = _resources(before.get(kind, []), kind)
        new = _resources(after.get(kind, []), kind)
        for name in sorted(old.keys() | new.keys()):
            if name not in new:
                changes.append(ResourceChange(kind=kind, name=name, change="removed"))
            elif name not in old:
                changes.append(ResourceChange(kind=kind, name=name, change="added"))
            elif fields := field_changes(old[name], new[name]):
                changes.append(
                    ResourceChange(kind=kind, name=name, change="changed", fields=fields)
                )
    return changes


def summary(changes: list[ResourceChange]) -> str:
    """One line for a version list: ``connectors +billing ~stripe; policies -old``."""
    by_kind: dict[str, list[str]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(_MARKS[change.change] + change.name)
    return "; ".join(f"{kind} {' '.join(names)}" for kind, names in by_kind.items()) or (
        "no change"
    )
