from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audit_record_out_after_type_0 import AuditRecordOutAfterType0
    from ..models.audit_record_out_before_type_0 import AuditRecordOutBeforeType0
    from ..models.audit_record_out_impersonation_type_0 import (
        AuditRecordOutImpersonationType0,
    )


T = TypeVar("T", bound="AuditRecordOut")


@_attrs_define
class AuditRecordOut:
    """
    Attributes:
        action (str):
        actor (str):
        after (AuditRecordOutAfterType0 | None):
        before (AuditRecordOutBeforeType0 | None):
        created_at (datetime.datetime):
        id (str):
        impersonation (AuditRecordOutImpersonationType0 | None):
        reason (str):
        request_id (None | str):
        target (str):
    """

    action: str
    actor: str
    after: AuditRecordOutAfterType0 | None
    before: AuditRecordOutBeforeType0 | None
    created_at: datetime.datetime
    id: str
    impersonation: AuditRecordOutImpersonationType0 | None
    reason: str
    request_id: None | str
    target: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_record_out_after_type_0 import AuditRecordOutAfterType0
        from ..models.audit_record_out_before_type_0 import AuditRecordOutBeforeType0
        from ..models.audit_record_out_impersonation_type_0 import (
            AuditRecordOutImpersonationType0,
        )

        action = self.action

        actor = self.actor

        after: dict[str, Any] | None
        if isinstance(self.after, AuditRecordOutAfterType0):
            after = self.after.to_dict()
        else:
            after = self.after

        before: dict[str, Any] | None
        if isinstance(self.before, AuditRecordOutBeforeType0):
            before = self.before.to_dict()
        else:
            before = self.before

        created_at = self.created_at.isoformat()

        id = self.id

        impersonation: dict[str, Any] | None
        if isinstance(self.impersonation, AuditRecordOutImpersonationType0):
            impersonation = self.impersonation.to_dict()
        else:
            impersonation = self.impersonation

        reason = self.reason

        request_id: None | str
        request_id = self.request_id

        target = self.target

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor": actor,
                "after": after,
                "before": before,
                "created_at": created_at,
                "id": id,
                "impersonation": impersonation,
                "reason": reason,
                "request_id": request_id,
                "target": target,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audit_record_out_after_type_0 import AuditRecordOutAfterType0
        from ..models.audit_record_out_before_type_0 import AuditRecordOutBeforeType0
        from ..models.audit_record_out_impersonation_type_0 import (
            AuditRecordOutImpersonationType0,
        )

        d = dict(src_dict)
        action = d.pop("action")

        actor = d.pop("actor")

        def _parse_after(data: object) -> AuditRecordOutAfterType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_0 = AuditRecordOutAfterType0.from_dict(data)

                return after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditRecordOutAfterType0 | None, data)

        after = _parse_after(d.pop("after"))

        def _parse_before(data: object) -> AuditRecordOutBeforeType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_0 = AuditRecordOutBeforeType0.from_dict(data)

                return before_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditRecordOutBeforeType0 | None, data)

        before = _parse_before(d.pop("before"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        def _parse_impersonation(
            data: object,
        ) -> AuditRecordOutImpersonationType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                impersonation_type_0 = AuditRecordOutImpersonationType0.from_dict(data)

                return impersonation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditRecordOutImpersonationType0 | None, data)

        impersonation = _parse_impersonation(d.pop("impersonation"))

        reason = d.pop("reason")

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        target = d.pop("target")

        audit_record_out = cls(
            action=action,
            actor=actor,
            after=after,
            before=before,
            created_at=created_at,
            id=id,
            impersonation=impersonation,
            reason=reason,
            request_id=request_id,
            target=target,
        )

        audit_record_out.additional_properties = d
        return audit_record_out

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
