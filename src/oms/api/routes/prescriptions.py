"""REST routes: prescriptions (DESIGN §5). Optometrists issue; reads are scoped to the caller."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import CurrentActor, SessionDep
from oms.api.schemas.common import Id
from oms.api.schemas.prescriptions import PrescriptionCreateIn, PrescriptionOut
from oms.domain import prescriptions

router = APIRouter(prefix="/prescriptions", tags=["prescriptions"])


@router.post("", status_code=201)
async def issue_prescription(
    body: PrescriptionCreateIn, actor: CurrentActor, session: SessionDep
) -> PrescriptionOut:
    new = prescriptions.NewPrescription(
        patient_id=body.patient_id,
        right_eye=body.right_eye.to_eye(),
        left_eye=body.left_eye.to_eye(),
        appointment_id=body.appointment_id,
        issue_date=body.issue_date,
        expiry_date=body.expiry_date,
        notes=body.notes,
    )
    return PrescriptionOut.of(await prescriptions.issue_prescription(session, actor, new))


@router.get("")
async def list_prescriptions(
    actor: CurrentActor, session: SessionDep, patient_id: Id | None = None
) -> list[PrescriptionOut]:
    views = await prescriptions.list_prescriptions(session, actor, patient_id=patient_id)
    return [PrescriptionOut.of(view) for view in views]


@router.get("/{prescription_id}")
async def get_prescription(
    prescription_id: Id, actor: CurrentActor, session: SessionDep
) -> PrescriptionOut:
    return PrescriptionOut.of(await prescriptions.get_prescription(session, actor, prescription_id))
