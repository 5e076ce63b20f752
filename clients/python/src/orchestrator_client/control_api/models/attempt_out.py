from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.attempt_out_outcome_type_1 import AttemptOutOutcomeType1
from ..models.attempt_out_outcome_type_2_type_1 import AttemptOutOutcomeType2Type1
from ..models.attempt_out_outcome_type_3_type_1 import AttemptOutOutcomeType3Type1

T = TypeVar("T", bound="AttemptOut")


@_attrs_define
class AttemptOut:
    """
    Attributes:
        attempt (int):
        duration_ms (float | None):
        error (None | str):
        finished_at (datetime.datetime | None):
        outcome (AttemptOutOutcomeType1 | AttemptOutOutcomeType2Type1 | AttemptOutOutcomeType3Type1 | None):
        started_at (datetime.datetime):
        upstream_status (int | None):
    """

    attempt: int
    duration_ms: float | None
    error: None | str
    finished_at: datetime.datetime | None
    outcome: (
        AttemptOutOutcomeType1
        | AttemptOutOutcomeType2Type1
        | AttemptOutOutcomeType3Type1
        | None
    )
    started_at: datetime.datetime
    upstream_status: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        duration_ms: float | None
        duration_ms = self.duration_ms

        error: None | str
        error = self.error

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        outcome: None | str
        if (
            isinstance(self.outcome, AttemptOutOutcomeType1)
            or isinstance(self.outcome, AttemptOutOutcomeType2Type1)
            or isinstance(self.outcome, AttemptOutOutcomeType3Type1)
        ):
            outcome = self.outcome.value
        else:
            outcome = self.outcome

        started_at = self.started_at.isoformat()

        upstream_status: int | None
        upstream_status = self.upstream_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempt": attempt,
                "duration_ms": duration_ms,
                "error": error,
                "finished_at": finished_at,
                "outcome": outcome,
                "started_at": started_at,
                "upstream_status": upstream_status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        def _parse_duration_ms(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        duration_ms = _parse_duration_ms(d.pop("duration_ms"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        def _parse_outcome(
            data: object,
        ) -> (
            AttemptOutOutcomeType1
            | AttemptOutOutcomeType2Type1
            | AttemptOutOutcomeType3Type1
            | None
        ):
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outcome_type_1 = AttemptOutOutcomeType1(data)

                return outcome_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outcome_type_2_type_1 = AttemptOutOutcomeType2Type1(data)

                return outcome_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outcome_type_3_type_1 = AttemptOutOutcomeType3Type1(data)

                return outcome_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                AttemptOutOutcomeType1
                | AttemptOutOutcomeType2Type1
                | AttemptOutOutcomeType3Type1
                | None,
                data,
            )

        outcome = _parse_outcome(d.pop("outcome"))

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        def _parse_upstream_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        upstream_status = _parse_upstream_status(d.pop("upstream_status"))

        attempt_out = cls(
            attempt=attempt,
            duration_ms=duration_ms,
            error=error,
            finished_at=finished_at,
            outcome=outcome,
            started_at=started_at,
            upstream_status=upstream_status,
        )

        attempt_out.additional_properties = d
        return attempt_out

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
