from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.draft_out_content_type_0 import DraftOutContentType0


T = TypeVar("T", bound="DraftOut")


@_attrs_define
class DraftOut:
    """
    Attributes:
        base (int | None):
        created_at (datetime.datetime):
        created_by (str):
        id (UUID):
        title (str):
        updated_at (datetime.datetime):
        content (DraftOutContentType0 | None | Unset):
    """

    base: int | None
    created_at: datetime.datetime
    created_by: str
    id: UUID
    title: str
    updated_at: datetime.datetime
    content: DraftOutContentType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.draft_out_content_type_0 import DraftOutContentType0

        base: int | None
        base = self.base

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        id = str(self.id)

        title = self.title

        updated_at = self.updated_at.isoformat()

        content: dict[str, Any] | None | Unset
        if isinstance(self.content, Unset):
            content = UNSET
        elif isinstance(self.content, DraftOutContentType0):
            content = self.content.to_dict()
        else:
            content = self.content

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "base": base,
                "created_at": created_at,
                "created_by": created_by,
                "id": id,
                "title": title,
                "updated_at": updated_at,
            }
        )
        if content is not UNSET:
            field_dict["content"] = content

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.draft_out_content_type_0 import DraftOutContentType0

        d = dict(src_dict)

        def _parse_base(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        base = _parse_base(d.pop("base"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        id = UUID(d.pop("id"))

        title = d.pop("title")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_content(data: object) -> DraftOutContentType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                content_type_0 = DraftOutContentType0.from_dict(data)

                return content_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DraftOutContentType0 | None | Unset, data)

        content = _parse_content(d.pop("content", UNSET))

        draft_out = cls(
            base=base,
            created_at=created_at,
            created_by=created_by,
            id=id,
            title=title,
            updated_at=updated_at,
            content=content,
        )

        draft_out.additional_properties = d
        return draft_out

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
