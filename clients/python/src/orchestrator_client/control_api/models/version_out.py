from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.version_out_snapshot_type_0 import VersionOutSnapshotType0


T = TypeVar("T", bound="VersionOut")


@_attrs_define
class VersionOut:
    """
    Attributes:
        actor (str):
        created_at (datetime.datetime):
        number (int):
        parent (int | None):
        reason (str):
        request_id (None | str):
        summary (str):
        snapshot (None | Unset | VersionOutSnapshotType0):
    """

    actor: str
    created_at: datetime.datetime
    number: int
    parent: int | None
    reason: str
    request_id: None | str
    summary: str
    snapshot: None | Unset | VersionOutSnapshotType0 = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.version_out_snapshot_type_0 import VersionOutSnapshotType0

        actor = self.actor

        created_at = self.created_at.isoformat()

        number = self.number

        parent: int | None
        parent = self.parent

        reason = self.reason

        request_id: None | str
        request_id = self.request_id

        summary = self.summary

        snapshot: dict[str, Any] | None | Unset
        if isinstance(self.snapshot, Unset):
            snapshot = UNSET
        elif isinstance(self.snapshot, VersionOutSnapshotType0):
            snapshot = self.snapshot.to_dict()
        else:
            snapshot = self.snapshot

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "created_at": created_at,
                "number": number,
                "parent": parent,
                "reason": reason,
                "request_id": request_id,
                "summary": summary,
            }
        )
        if snapshot is not UNSET:
            field_dict["snapshot"] = snapshot

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.version_out_snapshot_type_0 import VersionOutSnapshotType0

        d = dict(src_dict)
        actor = d.pop("actor")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        number = d.pop("number")

        def _parse_parent(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        parent = _parse_parent(d.pop("parent"))

        reason = d.pop("reason")

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        summary = d.pop("summary")

        def _parse_snapshot(data: object) -> None | Unset | VersionOutSnapshotType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                snapshot_type_0 = VersionOutSnapshotType0.from_dict(data)

                return snapshot_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VersionOutSnapshotType0, data)

        snapshot = _parse_snapshot(d.pop("snapshot", UNSET))

        version_out = cls(
            actor=actor,
            created_at=created_at,
            number=number,
            parent=parent,
            reason=reason,
            request_id=request_id,
            summary=summary,
            snapshot=snapshot,
        )

        version_out.additional_properties = d
        return version_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
