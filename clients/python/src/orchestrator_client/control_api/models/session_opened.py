from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SessionOpened")


@_attrs_define
class SessionOpened:
    """
    Attributes:
        closed (list[str]):
        id (str):
        idle_timeout_s (float):
        sequence (int):
        sessions (int):
        workspace_id (UUID):
    """

    closed: list[str]
    id: str
    idle_timeout_s: float
    sequence: int
    sessions: int
    workspace_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        closed = self.closed

        id = self.id

        idle_timeout_s = self.idle_timeout_s

        sequence = self.sequence

        sessions = self.sessions

        workspace_id = str(self.workspace_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "closed": closed,
                "id": id,
                "idle_timeout_s": idle_timeout_s,
                "sequence": sequence,
                "sessions": sessions,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        closed = cast(list[str], d.pop("closed"))

        id = d.pop("id")

        idle_timeout_s = d.pop("idle_timeout_s")

        sequence = d.pop("sequence")

        sessions = d.pop("sessions")

        workspace_id = UUID(d.pop("workspace_id"))

        session_opened = cls(
            closed=closed,
            id=id,
            idle_timeout_s=idle_timeout_s,
            sequence=sequence,
            sessions=sessions,
            workspace_id=workspace_id,
        )

        session_opened.additional_properties = d
        return session_opened

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
