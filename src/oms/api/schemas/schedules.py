"""Optometrists' weekly schedules."""

from __future__ import annotations

from pydantic import Field

from oms.api.schemas.appointments import BranchRefOut, ClockTime, PersonOut
from oms.api.schemas.common import Id, Out, Schema
from oms.domain.appointment_rules import hhmm
from oms.domain.schedules import ScheduleRowSpec, WeeklySchedule


class ScheduleRowIn(Schema):
    branch_id: Id
    day_of_week: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    start_time: ClockTime
    end_time: ClockTime
    is_active: bool = True

    def spec(self) -> ScheduleRowSpec:
        return ScheduleRowSpec(**self.model_dump())


class ScheduleIn(Schema):
    """The whole week: rows not listed are removed."""

    rows: list[ScheduleRowIn] = Field(max_length=7 * 100)


class ScheduleRowOut(Out):
    branch: BranchRefOut
    day_of_week: int
    start_time: str
    end_time: str
    is_active: bool


class ScheduleOut(Out):
    optometrist: PersonOut
    rows: list[ScheduleRowOut]

    @classmethod
    def of(cls, week: WeeklySchedule) -> ScheduleOut:
        return cls(
            optometrist=PersonOut.model_validate(week.optometrist),
            rows=[
                ScheduleRowOut(
                    branch=BranchRefOut.model_validate(branch),
                    day_of_week=row.day_of_week,
                    start_time=hhmm(row.start_time),
                    end_time=hhmm(row.end_time),
                    is_active=row.is_active,
                )
                for row, branch in week.rows
            ],
        )
