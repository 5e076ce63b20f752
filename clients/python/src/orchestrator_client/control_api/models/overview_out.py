from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.budget_out import BudgetOut
    from ..models.connector_health_out import ConnectorHealthOut
    from ..models.event_out import EventOut
    from ..models.inbox_depths_out import InboxDepthsOut
    from ..models.job_depths_out import JobDepthsOut
    from ..models.recent_window_out import RecentWindowOut


T = TypeVar("T", bound="OverviewOut")


@_attrs_define
class OverviewOut:
    """
    Attributes:
        budget (BudgetOut):
        connectors (list[ConnectorHealthOut]):
        count_limit (int):
        events (list[EventOut]):
        gate_state_available (bool):
        jobs (JobDepthsOut):
        more_connectors (bool):
        recent (RecentWindowOut):
        webhook_inbox (InboxDepthsOut):
        workspace (str):
        workspace_id (UUID):
    """

    budget: BudgetOut
    connectors: list[ConnectorHealthOut]
    count_limit: int
    events: list[EventOut]
    gate_state_available: bool
    jobs: JobDepthsOut
    more_connectors: bool
    recent: RecentWindowOut
    webhook_inbox: InboxDepthsOut
    workspace: str
    workspace_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        budget = self.budget.to_dict()

        connectors = []
        for connectors_item_data in self.connectors:
            connectors_item = connectors_item_data.to_dict()
            connectors.append(connectors_item)

        count_limit = self.count_limit

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        gate_state_available = self.gate_state_available

        jobs = self.jobs.to_dict()

        more_connectors = self.more_connectors

        recent = self.recent.to_dict()

        webhook_inbox = self.webhook_inbox.to_dict()

        workspace = self.workspace

        workspace_id = str(self.workspace_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "budget": budget,
                "connectors": connectors,
                "count_limit": count_limit,
                "events": events,
                "gate_state_available": gate_state_available,
                "jobs": jobs,
                "more_connectors": more_connectors,
                "recent": recent,
                "webhook_inbox": webhook_inbox,
                "workspace": workspace,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget_out import BudgetOut
        from ..models.connector_health_out import ConnectorHealthOut
        from ..models.event_out import EventOut
        from ..models.inbox_depths_out import InboxDepthsOut
        from ..models.job_depths_out import JobDepthsOut
        from ..models.recent_window_out import RecentWindowOut

        d = dict(src_dict)
        budget = BudgetOut.from_dict(d.pop("budget"))

        connectors = []
        _connectors = d.pop("connectors")
        for connectors_item_data in _connectors:
            connectors_item = ConnectorHealthOut.from_dict(connectors_item_data)

            connectors.append(connectors_item)

        count_limit = d.pop("count_limit")

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = EventOut.from_dict(events_item_data)

            events.append(events_item)

        gate_state_available = d.pop("gate_state_available")

        jobs = JobDepthsOut.from_dict(d.pop("jobs"))

        more_connectors = d.pop("more_connectors")

        recent = RecentWindowOut.from_dict(d.pop("recent"))

        webhook_inbox = InboxDepthsOut.from_dict(d.pop("webhook_inbox"))

        workspace = d.pop("workspace")

        workspace_id = UUID(d.pop("workspace_id"))

        overview_out = cls(
            budget=budget,
            connectors=connectors,
            count_limit=count_limit,
            events=events,
            gate_state_available=gate_state_available,
            jobs=jobs,
            more_connectors=more_connectors,
            recent=recent,
            webhook_inbox=webhook_inbox,
            workspace=workspace,
            workspace_id=workspace_id,
        )

        overview_out.additional_properties = d
        return overview_out

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
