import { useRef, useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "@/shared/api/client";
import { useBranches, type UserRow } from "@/shared/api/reference";
import { formatTime, formatWhen, todayIn } from "@/shared/lib/format";
import { announce } from "@/shared/ui/Announcer";
import { useUser } from "@/shared/session/session";
import { Field } from "@/shared/ui/Field";
import { useBookAppointment } from "../api/book-appointment";
import { useBranchOptometrists } from "../api/get-optometrists";
import { APPOINTMENT_TYPES, type AppointmentType } from "../api/types";
import { newIdempotencyKey } from "../api/idempotency";
import { PatientPicker } from "./PatientPicker";
import { SlotPicker, type Slot } from "./SlotPicker";
import { SubmitButton, NamedOptions } from "@/shared/ui/controls";

/** What a refused booking means to the person at the desk, in words. */
function bookingProblem(error: unknown): string {
  if (!(error instanceof ApiError)) return errorMessage(error);
  const reason = error.details.reason;
  if (error.code === "slot_unavailable" && reason === "outside_schedule")
    return "The optometrist no longer works at that time (their schedule just changed). The free times below are up to date: choose another.";
  if (error.code === "slot_unavailable") return "Someone else just booked that time. The free times below are up to date: choose another.";
  if (reason === "started") return "That time has already started. Choose a later time.";
  return error.message;
}

/** Book from real availability: branch → optometrist → day → a free slot. */
export function BookingForm({ onBooked }: { onBooked?: () => void }) {
  const user = useUser();
  const isCustomer = user.role === "customer";
  const ownBranch = user.role === "staff" ? user.branch_ids[0] : undefined;
  const branches = useBranches();
  const [branchId, setBranchId] = useState<number | undefined>(ownBranch ?? (isCustomer ? (user.branch_id ?? undefined) : undefined));
  const [chosenOptometrist, setOptometristId] = useState<number | undefined>();
  const [patient, setPatient] = useState<UserRow | null>(null);
  const patientId = patient?.id;
  const zone = branches.data?.find((b) => b.id === branchId)?.timezone;
  const [chosenDate, setDate] = useState(todayIn());
  // A branch's "today" is its own: the desk in Manila books in Manila time, wherever the browser is.
  const date = zone && chosenDate < todayIn(zone) ? todayIn(zone) : chosenDate;
  const [type, setType] = useState<AppointmentType>("eye_exam");
  const [slot, setSlot] = useState<Slot | null>(null);
  const [notes, setNotes] = useState("");
  const optometrists = useBranchOptometrists(branchId, isCustomer);
  const book = useBookAppointment();
  // One key per booking the person means to make: a retry of the same one (a double click, a
  // lost answer) is recognised by the server and answered with the first booking.
  const attempt = useRef<{ what: string; key: string } | null>(null);
  const errors = book.error instanceof ApiError ? book.error.fieldErrors : {};
  const duration = APPOINTMENT_TYPES.find((t) => t.value === type)?.minutes ?? 30;

  // One optometrist at the branch: choose them.
  const optometristId = chosenOptometrist ?? (optometrists.data?.length === 1 ? optometrists.data[0]?.id : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (branchId === undefined || optometristId === undefined || !slot || book.isPending) return;
    const input = {
      branch_id: branchId,
      optometrist_id: optometristId,
      date,
      start_time: slot.start_time,
      end_time: slot.end_time,
      type,
      notes: notes.trim() || undefined,
      patient_id: isCustomer ? undefined : patientId,
    };
    const what = JSON.stringify(input);
    if (attempt.current?.what !== what) attempt.current = { what, key: newIdempotencyKey() };
    book.mutate(
      { ...input, idempotencyKey: attempt.current.key },
      {
        // The booker is told by the appointment.created event, like everyone else concerned.
        onSuccess: (booked) => {
          announce(`Booked: ${formatWhen(booked.date, booked.start_time)} with ${booked.optometrist.name}.`);
          attempt.current = null;
          setSlot(null);
          setNotes("");
          onBooked?.();
        },
      },
    );
  };

  const ready = branchId !== undefined && optometristId !== undefined && slot !== null && (isCustomer || patientId !== undefined);
  return (
    <form className="card stack" onSubmit={submit} noValidate data-testid="booking-form" aria-label="Book an appointment">
      <h2>Book an appointment</h2>
      <div className="grid-2">
        <Field label="Branch" error={errors.branch_id}>
          <select
            value={branchId ?? ""}
            disabled={ownBranch !== undefined}
            onChange={(e) => {
              setBranchId(e.target.value ? Number(e.target.value) : undefined);
              setOptometristId(undefined);
              setSlot(null);
            }}
            data-testid="booking-branch"
          >
            <option value="">Choose a branch…</option>
            <NamedOptions items={branches.data} />
          </select>
        </Field>
        <Field
          label="Optometrist"
          error={errors.optometrist_id ?? (optometrists.isError ? errorMessage(optometrists.error) : undefined)}
        >
          <select
            value={optometristId ?? ""}
            disabled={branchId === undefined || optometrists.isPending}
            onChange={(e) => {
              setOptometristId(e.target.value ? Number(e.target.value) : undefined);
              setSlot(null);
            }}
            data-testid="booking-optometrist"
          >
            <option value="">{optometrists.data?.length === 0 ? "Nobody works here yet" : "Choose…"}</option>
            <NamedOptions items={optometrists.data} />
          </select>
        </Field>
        {!isCustomer && <PatientPicker value={patient} onChange={setPatient} error={errors.patient_id} />}
        <Field label="Kind of visit" error={errors.type}>
          <select value={type} onChange={(e) => setType(e.target.value as AppointmentType)} data-testid="booking-type">
            {APPOINTMENT_TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Day" error={errors.date}>
          <input
            type="date"
            value={date}
            min={todayIn(zone)}
            onChange={(e) => {
              setDate(e.target.value);
              setSlot(null);
            }}
            data-testid="booking-date"
          />
        </Field>
      </div>
      <SlotPicker optometristId={optometristId} branchId={branchId} date={date} duration={duration} value={slot} onChange={setSlot} />
      {errors.end_time && <p className="form-error">{errors.end_time}</p>}
      <Field label="Notes (optional)" error={errors.notes}>
        <textarea rows={2} maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </Field>
      {book.isError && (!Object.keys(errors).length || errors.start_time) && (
        <p className="form-error" role="alert" data-testid="booking-error">
          {bookingProblem(book.error)}
        </p>
      )}
      <div className="row">
        <SubmitButton pending={book.isPending} busy="Booking…" testId="booking-submit" disabled={!ready}>
          {slot ? `Book ${formatTime(slot.start_time)}` : "Book"}
        </SubmitButton>
      </div>
    </form>
  );
}
