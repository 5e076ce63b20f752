from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.connector_health_out_breaker_type_1 import ConnectorHealthOutBreakerType1
from ..models.connector_health_out_breaker_type_2_type_1 import (
    ConnectorHealthOutBreakerType2Type1,
)
from ..models.connector_health_out_breaker_type_3_type_1 import (
    ConnectorHealthOutBreakerType3Type1,
)

if TYPE_CHECKING:
    from ..models.operation_out import OperationOut
    from ..models.recent_calls_out import RecentCallsOut


T = TypeVar("T", bound="ConnectorHealthOut")


@_attrs_define
class ConnectorHealthOut:
    """
    Attributes:
        breaker (ConnectorHealthOutBreakerType1 | ConnectorHealthOutBreakerType2Type1 |
            ConnectorHealthOutBreakerType3Type1 | None):
        enabled (bool):
        more_operations (bool):
        name (str):
        operations (list[OperationOut]):
        policy (None | str):
        recent (RecentCallsOut):
        type_ (str):
    """

    breaker: (
        ConnectorHealthOutBreakerType1
        | ConnectorHealthOutBreakerType2Type1
        | ConnectorHealthOutBreakerType3Type1
        | None
    )
    enabled: bool
    more_operations: bool
    name: str
    operations: list[OperationOut]
    policy: None | str
    recent: RecentCallsOut
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        breaker: None | str
        if (
            isinstance(self.breaker, ConnectorHealthOutBreakerType1)
            or isinstance(self.breaker, ConnectorHealthOutBreakerType2Type1)
            or isinstance(self.breaker, ConnectorHealthOutBreakerType3Type1)
        ):
            breaker = self.breaker.value
        else:
            breaker = self.breaker

        enabled = self.enabled

        more_operations = self.more_operations

        name = self.name

        operations = []
        for operations_item_data in self.operations:
            operations_item = operations_item_data.to_dict()
            operations.append(operations_item)

        policy: None | str
        policy = self.policy

        recent = self.recent.to_dict()

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "breaker": breaker,
                "enabled": enabled,
                "more_operations": more_operations,
                "name": name,
                "operations": operations,
                "policy": policy,
                "recent": recent,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.operation_out import OperationOut
        from ..models.recent_calls_out import RecentCallsOut

        d = dict(src_dict)

        def _parse_breaker(
            data: object,
        ) -> (
            ConnectorHealthOutBreakerType1
            | ConnectorHealthOutBreakerType2Type1
            | ConnectorHealthOutBreakerType3Type1
            | None
        ):
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                breaker_type_1 = ConnectorHealthOutBreakerType1(data)

                return breaker_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                breaker_type_2_type_1 = ConnectorHealthOutBreakerType2Type1(data)

                return breaker_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                breaker_type_3_type_1 = ConnectorHealthOutBreakerType3Type1(data)

                return breaker_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                ConnectorHealthOutBreakerType1
                | ConnectorHealthOutBreakerType2Type1
                | ConnectorHealthOutBreakerType3Type1
                | None,
                data,
            )

        breaker = _parse_breaker(d.pop("breaker"))

        enabled = d.pop("enabled")

        more_operations = d.pop("more_operations")

        name = d.pop("name")

        operations = []
        _operations = d.pop("operations")
        for operations_item_data in _operations:
            operations_item = OperationOut.from_dict(operations_item_data)

            operations.append(operations_item)

        def _parse_policy(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        policy = _parse_policy(d.pop("policy"))

        recent = RecentCallsOut.from_dict(d.pop("recent"))

        type_ = d.pop("type")

        connector_health_out = cls(
            breaker=breaker,
            enabled=enabled,
            more_operations=more_operations,
            name=name,
            operations=operations,
            policy=policy,
            recent=recent,
            type_=type_,
        )

        connector_health_out.additional_properties = d
        return connector_health_out

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
