from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.action_request_action import ActionRequestAction
from ..types import UNSET, Unset

T = TypeVar("T", bound="ActionRequest")


@_attrs_define
class ActionRequest:
    """
    Attributes:
        action (ActionRequestAction):
        session (str):
        choice (None | str | Unset):
        poll (None | str | Unset):
    """

    action: ActionRequestAction
    session: str
    choice: None | str | Unset = UNSET
    poll: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        session = self.session

        choice: None | str | Unset
        if isinstance(self.choice, Unset):
            choice = UNSET
        else:
            choice = self.choice

        poll: None | str | Unset
        if isinstance(self.poll, Unset):
            poll = UNSET
        else:
            poll = self.poll

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
                "session": session,
            }
        )
        if choice is not UNSET:
            field_dict["choice"] = choice
        if poll is not UNSET:
            field_dict["poll"] = poll

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = ActionRequestAction(d.pop("action"))

        session = d.pop("session")

        def _parse_choice(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        choice = _parse_choice(d.pop("choice", UNSET))

        def _parse_poll(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        poll = _parse_poll(d.pop("poll", UNSET))

        action_request = cls(
            action=action,
            session=session,
            choice=choice,
            poll=poll,
        )

        return action_request
