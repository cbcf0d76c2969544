"""Prescriptions: optometrists issue them; patients, their optometrist, the branch and admins
read them (DESIGN §3, §5).

Decisions where the design is silent:
- Only optometrists issue (admins too would be issuing under someone else's licence).
- `issue_date` defaults to today (UTC) and may not be in the future; `expiry_date` defaults to
  one year after issue (29 February → 28 February) and must be after `issue_date`.
- An `appointment_id` must be the optometrist's own appointment for that patient, in progress or
  completed; anything else (including someone else's or a missing one, which are not told apart)
  is a 422 on `appointment_id`.
- Staff see the prescriptions of their branches' patients: those with an appointment (not a
  cancelled one) or a glasses order at one of their branches. Who issued it does not matter.
- The `prescription.created` event carries no optical values (health data); REST reads do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from oms.db.models import Appointment, GlassesOrder, Prescription, User
from oms.domain.actors import Actor
from oms.domain.errors import InvalidField, NotFound, PermissionDenied
from oms.domain.rx_rules import Eye, check_eye, eye_to_json
from oms.events.catalogue import PersonRef, PrescriptionDraft, PrescriptionSubject
from oms.events.recipients import for_prescription
from oms.events.recorder import commit, record_event

# Appointments a prescription may come from: the exam has started or is done.
_APPOINTMENT_STATUSES = ("in_progress", "completed")


@dataclass(frozen=True)
class NewPrescription:
    patient_id: int
    right_eye: Eye
    left_eye: Eye
    appointment_id: int | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class PrescriptionView:
    """A prescription with the two people it names (what every read returns)."""

    prescription: Prescription
    patient: User
    optometrist: User


def rx_number(prescription_id: int) -> str:
    return f"RX-{prescription_id:06d}"


# A sane window: no optical prescription on record predates this, and none is valid for decades.
EARLIEST_ISSUE = date(1900, 1, 1)
MAX_VALIDITY_DAYS = 10 * 366


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def today_utc() -> date:
    return datetime.now(UTC).date()


def check_dates(issue: date | None, expiry: date | None) -> tuple[date, date]:
    issue = issue or today_utc()
    if issue > today_utc():
        raise InvalidField("issue_date", "must not be in the future")
    if issue < EARLIEST_ISSUE:
        raise InvalidField("issue_date", f"must not be before {EARLIEST_ISSUE.isoformat()}")
    expiry = expiry or one_year_after(issue)
    if expiry <= issue:
        raise InvalidField("expiry_date", "must be after issue_date")
    if (expiry - issue).days > MAX_VALIDITY_DAYS:
        raise InvalidField("expiry_date", "a prescription is valid for at most ten years")
    return issue, expiry


async def _check_patient(session: AsyncSession, patient_id: int) -> User:
    patient = await session.get(User, patient_id)
    if patient is None or not patient.is_active or patient.role != "customer":
        raise InvalidField("patient_id", f"there is no active customer {patient_id}")
    return patient


async def _check_appointment(
    session: AsyncSession, actor: Actor, appointment_id: int, patient_id: int
) -> None:
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None or appointment.optometrist_id != actor.id:
        raise InvalidField("appointment_id", f"{appointment_id} is not one of your appointments")
    if appointment.patient_id != patient_id:
        raise InvalidField("appointment_id", "is an appointment of a different patient")
    if appointment.status not in _APPOINTMENT_STATUSES:
        raise InvalidField(
            "appointment_id", f"must be in progress or completed (it is {appointment.status})"
        )


async def check_issue(
    session: AsyncSession, actor: Actor, new: NewPrescription
) -> tuple[User, Eye, Eye, date, date]:
    if actor.role != "optometrist":
        raise PermissionDenied("only optometrists issue prescriptions")
    right = check_eye(new.right_eye, "right_eye")
    left = check_eye(new.left_eye, "left_eye")
    issue, expiry = check_dates(new.issue_date, new.expiry_date)
    patient = await _check_patient(session, new.patient_id)
    if new.appointment_id is not None:
        await _check_appointment(session, actor, new.appointment_id, new.patient_id)
    return patient, right, left, issue, expiry


def prescription_subject(view: PrescriptionView) -> PrescriptionSubject:
    rx = view.prescription
    assert rx.number is not None
    return PrescriptionSubject(
        id=rx.id,
        number=rx.number,
        patient=PersonRef(id=view.patient.id, name=view.patient.name),
        optometrist=PersonRef(id=view.optometrist.id, name=view.optometrist.name),
        issue_date=rx.issue_date.isoformat(),
        expiry_date=rx.expiry_date.isoformat(),
    )


async def issue_prescription(
    session: AsyncSession, actor: Actor, new: NewPrescription
) -> PrescriptionView:
    patient, right, left, issue, expiry = await check_issue(session, actor, new)
    optometrist = await session.get(User, actor.id)
    assert optometrist is not None, "the actor was loaded from this table"
    rx = Prescription(
        patient_id=patient.id,
        optometrist_id=actor.id,
        appointment_id=new.appointment_id,
        right_eye=eye_to_json(right),
        left_eye=eye_to_json(left),
        issue_date=issue,
        expiry_date=expiry,
        notes=new.notes,
    )
    session.add(rx)
    await session.flush()  # the number comes from the id
    rx.number = rx_number(rx.id)
    view = PrescriptionView(rx, patient, optometrist)
    await record_event(
        session,
        PrescriptionDraft(
            title="Prescription issued",
            message=f"{optometrist.name} issued prescription {rx.number} for {patient.name}",
            level="success",
            prescription=prescription_subject(view),
        ),
        recipients=for_prescription(patient_id=patient.id, optometrist_id=actor.id),
    )
    await commit(session)
    return view


def _patient_of_branches(branch_ids: frozenset[int]) -> Any:
    """A patient is the branch's when they have an appointment there (not one they cancelled) or
    a glasses order.
    Who issued the prescription does not matter: an optometrist working at several branches does
    not make every patient of theirs visible to every branch's staff."""
    visited = select(Appointment.patient_id).where(
        Appointment.branch_id.in_(branch_ids), Appointment.status != "cancelled"
    )
    ordered = select(GlassesOrder.patient_id).where(GlassesOrder.branch_id.in_(branch_ids))
    return or_(Prescription.patient_id.in_(visited), Prescription.patient_id.in_(ordered))


def _scoped(actor: Actor) -> Select[Prescription, User, User]:
    patient, optometrist = aliased(User), aliased(User)
    query = (
        select(Prescription, patient, optometrist)
        .join(patient, patient.id == Prescription.patient_id)
        .join(optometrist, optometrist.id == Prescription.optometrist_id)
    )
    if actor.role == "customer":
        return query.where(Prescription.patient_id == actor.id)
    if actor.role == "optometrist":
        return query.where(Prescription.optometrist_id == actor.id)
    if actor.role == "staff":
        return query.where(_patient_of_branches(actor.branch_ids))
    return query


async def list_prescriptions(
    session: AsyncSession, actor: Actor, *, patient_id: int | None = None
) -> list[PrescriptionView]:
    query = _scoped(actor).order_by(Prescription.id.desc())
    if patient_id is not None:
        query = query.where(Prescription.patient_id == patient_id)
    rows = await session.execute(query)
    return [PrescriptionView(rx, patient, optometrist) for rx, patient, optometrist in rows.all()]


async def get_prescription(
    session: AsyncSession, actor: Actor, prescription_id: int
) -> PrescriptionView:
    """Out of the caller's scope reads the same as missing: 404."""
    row = (
        await session.execute(_scoped(actor).where(Prescription.id == prescription_id))
    ).one_or_none()
    if row is None:
        raise NotFound(f"prescription {prescription_id} was not found")
    rx, patient, optometrist = row
    return PrescriptionView(rx, patient, optometrist)
