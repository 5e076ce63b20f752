from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel_event_type import ChannelEventType
from ..models.status_kind import StatusKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.actor import Actor
    from ..models.channel_event_figures_type_0 import ChannelEventFiguresType0
    from ..models.counter import Counter


T = TypeVar("T", bound="ChannelEvent")


@_attrs_define
class ChannelEvent:
    """
    Attributes:
        type_ (ChannelEventType):
        workspace_id (UUID):
        action (None | str | Unset):
        actor (Actor | None | Unset):
        at (float | Unset):
        choice (None | str | Unset):
        closed (list[str] | None | Unset):
        count (int | None | Unset):
        counters (list[Counter] | None | Unset):
        figures (ChannelEventFiguresType0 | None | Unset):
        poll (None | str | Unset):
        sessions (int | None | Unset):
        status (None | StatusKind | Unset):
        subject (None | str | Unset):
    """

    type_: ChannelEventType
    workspace_id: UUID
    action: None | str | Unset = UNSET
    actor: Actor | None | Unset = UNSET
    at: float | Unset = UNSET
    choice: None | str | Unset = UNSET
    closed: list[str] | None | Unset = UNSET
    count: int | None | Unset = UNSET
    counters: list[Counter] | None | Unset = UNSET
    figures: ChannelEventFiguresType0 | None | Unset = UNSET
    poll: None | str | Unset = UNSET
    sessions: int | None | Unset = UNSET
    status: None | StatusKind | Unset = UNSET
    subject: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.actor import Actor
        from ..models.channel_event_figures_type_0 import ChannelEventFiguresType0

        type_ = self.type_.value

        workspace_id = str(self.workspace_id)

        action: None | str | Unset
        if isinstance(self.action, Unset):
            action = UNSET
        else:
            action = self.action

        actor: dict[str, Any] | None | Unset
        if isinstance(self.actor, Unset):
            actor = UNSET
        elif isinstance(self.actor, Actor):
            actor = self.actor.to_dict()
        else:
            actor = self.actor

        at = self.at

        choice: None | str | Unset
        if isinstance(self.choice, Unset):
            choice = UNSET
        else:
            choice = self.choice

        closed: list[str] | None | Unset
        if isinstance(self.closed, Unset):
            closed = UNSET
        elif isinstance(self.closed, list):
            closed = self.closed

        else:
            closed = self.closed

        count: int | None | Unset
        if isinstance(self.count, Unset):
            count = UNSET
        else:
            count = self.count

        counters: list[dict[str, Any]] | None | Unset
        if isinstance(self.counters, Unset):
            counters = UNSET
        elif isinstance(self.counters, list):
            counters = []
            for counters_type_0_item_data in self.counters:
                counters_type_0_item = counters_type_0_item_data.to_dict()
                counters.append(counters_type_0_item)

        else:
            counters = self.counters

        figures: dict[str, Any] | None | Unset
        if isinstance(self.figures, Unset):
            figures = UNSET
        elif isinstance(self.figures, ChannelEventFiguresType0):
            figures = self.figures.to_dict()
        else:
            figures = self.figures

        poll: None | str | Unset
        if isinstance(self.poll, Unset):
            poll = UNSET
        else:
            poll = self.poll

        sessions: int | None | Unset
        if isinstance(self.sessions, Unset):
            sessions = UNSET
        else:
            sessions = self.sessions

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, StatusKind):
            status = self.status.value
        else:
            status = self.status

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "workspace_id": workspace_id,
            }
        )
        if action is not UNSET:
            field_dict["action"] = action
        if actor is not UNSET:
            field_dict["actor"] = actor
        if at is not UNSET:
            field_dict["at"] = at
        if choice is not UNSET:
            field_dict["choice"] = choice
        if closed is not UNSET:
            field_dict["closed"] = closed
        if count is not UNSET:
            field_dict["count"] = count
        if counters is not UNSET:
            field_dict["counters"] = counters
        if figures is not UNSET:
            field_dict["figures"] = figures
        if poll is not UNSET:
            field_dict["poll"] = poll
        if sessions is not UNSET:
            field_dict["sessions"] = sessions
        if status is not UNSET:
            field_dict["status"] = status
        if subject is not UNSET:
            field_dict["subject"] = subject

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.actor import Actor
        from ..models.channel_event_figures_type_0 import ChannelEventFiguresType0
        from ..models.counter import Counter

        d = dict(src_dict)
        type_ = ChannelEventType(d.pop("type"))

        workspace_id = UUID(d.pop("workspace_id"))

        def _parse_action(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        action = _parse_action(d.pop("action", UNSET))

        def _parse_actor(data: object) -> Actor | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                actor_type_0 = Actor.from_dict(data)

                return actor_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Actor | None | Unset, data)

        actor = _parse_actor(d.pop("actor", UNSET))

        at = d.pop("at", UNSET)

        def _parse_choice(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        choice = _parse_choice(d.pop("choice", UNSET))

        def _parse_closed(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                closed_type_0 = cast(list[str], data)

                return closed_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        closed = _parse_closed(d.pop("closed", UNSET))

        def _parse_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        count = _parse_count(d.pop("count", UNSET))

        def _parse_counters(data: object) -> list[Counter] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                counters_type_0 = []
                _counters_type_0 = data
                for counters_type_0_item_data in _counters_type_0:
                    counters_type_0_item = Counter.from_dict(counters_type_0_item_data)

                    counters_type_0.append(counters_type_0_item)

                return counters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Counter] | None | Unset, data)

        counters = _parse_counters(d.pop("counters", UNSET))

        def _parse_figures(data: object) -> ChannelEventFiguresType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                figures_type_0 = ChannelEventFiguresType0.from_dict(data)

                return figures_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChannelEventFiguresType0 | None | Unset, data)

        figures = _parse_figures(d.pop("figures", UNSET))

        def _parse_poll(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        poll = _parse_poll(d.pop("poll", UNSET))

        def _parse_sessions(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        sessions = _parse_sessions(d.pop("sessions", UNSET))

        def _parse_status(data: object) -> None | StatusKind | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = StatusKind(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StatusKind | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        channel_event = cls(
            type_=type_,
            workspace_id=workspace_id,
            action=action,
            actor=actor,
            at=at,
            choice=choice,
            closed=closed,
            count=count,
            counters=counters,
            figures=figures,
            poll=poll,
            sessions=sessions,
            status=status,
            subject=subject,
        )

        channel_event.additional_properties = d
        return channel_event

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
