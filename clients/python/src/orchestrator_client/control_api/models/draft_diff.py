from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.draft_refusal import DraftRefusal
    from ..models.resource_change import ResourceChange


T = TypeVar("T", bound="DraftDiff")


@_attrs_define
class DraftDiff:
    """
    Attributes:
        active (int | None):
        base (int | None):
        changes (list[ResourceChange]):
        draft (UUID):
        refused (DraftRefusal | None):
    """

    active: int | None
    base: int | None
    changes: list[ResourceChange]
    draft: UUID
    refused: DraftRefusal | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.draft_refusal import DraftRefusal

        active: int | None
        active = self.active

        base: int | None
        base = self.base

        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)

        draft = str(self.draft)

        refused: dict[str, Any] | None
        if isinstance(self.refused, DraftRefusal):
            refused = self.refused.to_dict()
        else:
            refused = self.refused

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "base": base,
                "changes": changes,
                "draft": draft,
                "refused": refused,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.draft_refusal import DraftRefusal
        from ..models.resource_change import ResourceChange

        d = dict(src_dict)

        def _parse_active(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        active = _parse_active(d.pop("active"))

        def _parse_base(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        base = _parse_base(d.pop("base"))

        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = ResourceChange.from_dict(changes_item_data)

            changes.append(changes_item)

        draft = UUID(d.pop("draft"))

        def _parse_refused(data: object) -> DraftRefusal | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                refused_type_0 = DraftRefusal.from_dict(data)

                return refused_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DraftRefusal | None, data)

        refused = _parse_refused(d.pop("refused"))

        draft_diff = cls(
            active=active,
            base=base,
            changes=changes,
            draft=draft,
            refused=refused,
        )

        draft_diff.additional_properties = d
        return draft_diff

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
