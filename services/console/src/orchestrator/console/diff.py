"""Changes, JSON-Pointer addressed: an audit record's before/after, or the fields of a
resource the control-api's version diff names, as one list the pages draw alike."""

from __future__ import annotations

from typing import Any

import msgspec

from orchestrator.core.versions.diff import escape


class Change(msgspec.Struct, frozen=True):
    """One value added, removed or changed at ``pointer``."""

    pointer: str
    kind: str
    before: Any = None
    after: Any = None


def changes(before: Any, after: Any, pointer: str = "") -> list[Change]:
    """What differs between ``before`` and ``after``, object members walked recursively
    (RFC 6901 pointers); arrays and scalars compare as whole values."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[Change] = []
        for key in sorted(before.keys() | after.keys()):
            at = f"{pointer}/{escape(str(key))}"
            if key not in after:
                found.append(Change(at, "removed", before=before[key]))
            elif key not in before:
                found.append(Change(at, "added", after=after[key]))
            else:
                found.extend(changes(before[key], after[key], at))
        return found
    if before == after:
        return []
    if before is None:
        return [Change(pointer or "/", "added", after=after)]
    if after is None:
        return [Change(pointer or "/", "removed", before=before)]
    return [Change(pointer or "/", "changed", before=before, after=after)]


def of_fields(fields: list[dict[str, Any]]) -> list[Change]:
    """The changed fields of a version diff's resource (``pointer``, and ``before`` and
    ``after`` where the field exists on that side) as changes."""
    return [
        Change(
            f["pointer"] or "/",
            "added" if "before" not in f else "removed" if "after" not in f else "changed",
            before=f.get("before"),
            after=f.get("after"),
        )
        for f in fields
    ]


def of_resources(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A version diff's resources, each with its changed fields as changes (``of_fields``)."""
    return [{**resource, "fields": of_fields(resource["fields"])} for resource in changes]
