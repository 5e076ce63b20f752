from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.canned_action import CannedAction
    from ..models.counter import Counter
    from ..models.poll_out import PollOut


T = TypeVar("T", bound="ChannelOut")


@_attrs_define
class ChannelOut:
    """
    Attributes:
        actions (list[CannedAction]):
        counters (list[Counter]):
        keep_days (int):
        polls (list[PollOut]):
        sessions (int):
        workspace_id (UUID):
    """

    actions: list[CannedAction]
    counters: list[Counter]
    keep_days: int
    polls: list[PollOut]
    sessions: int
    workspace_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actions = []
        for actions_item_data in self.actions:
            actions_item = actions_item_data.to_dict()
            actions.append(actions_item)

        counters = []
        for counters_item_data in self.counters:
            counters_item = counters_item_data.to_dict()
            counters.append(counters_item)

        keep_days = self.keep_days

        polls = []
        for polls_item_data in self.polls:
            polls_item = polls_item_data.to_dict()
            polls.append(polls_item)

        sessions = self.sessions

        workspace_id = str(self.workspace_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actions": actions,
                "counters": counters,
                "keep_days": keep_days,
                "polls": polls,
                "sessions": sessions,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.canned_action import CannedAction
        from ..models.counter import Counter
        from ..models.poll_out import PollOut

        d = dict(src_dict)
        actions = []
        _actions = d.pop("actions")
        for actions_item_data in _actions:
            actions_item = CannedAction.from_dict(actions_item_data)

            actions.append(actions_item)

        counters = []
        _counters = d.pop("counters")
        for counters_item_data in _counters:
            counters_item = Counter.from_dict(counters_item_data)

            counters.append(counters_item)

        keep_days = d.pop("keep_days")

        polls = []
        _polls = d.pop("polls")
        for polls_item_data in _polls:
            polls_item = PollOut.from_dict(polls_item_data)

            polls.append(polls_item)

        sessions = d.pop("sessions")

        workspace_id = UUID(d.pop("workspace_id"))

        channel_out = cls(
            actions=actions,
            counters=counters,
            keep_days=keep_days,
            polls=polls,
            sessions=sessions,
            workspace_id=workspace_id,
        )

        channel_out.additional_properties = d
        return channel_out

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
