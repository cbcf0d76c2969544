import { useRef, useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError, errorMessage } from "@/shared/api/client";
import { formatDay, formatTime } from "@/shared/lib/format";
import { Field } from "@/shared/ui/Field";
import { PageTitle } from "@/shared/ui/PageTitle";
import { useCandidateAppointments } from "../api/get-candidate-appointments";
import { useCreatePrescription } from "../api/create-prescription";
import { EMPTY_EYE, checkEye, eyeBody, type EyeDraft } from "../lib/rx-rules";
import { SubmitButton } from "@/shared/ui/controls";

type EyeKey = "right_eye" | "left_eye";
const ROWS: { field: keyof EyeDraft; label: string; hint: string; placeholder: string }[] = [
  { field: "sphere", label: "SPH", hint: "−20.00 … +20.00, steps of 0.25", placeholder: "" },
  { field: "cylinder", label: "CYL", hint: "−6.00 … +6.00, steps of 0.25", placeholder: "" },
  { field: "axis", label: "AXIS", hint: "1 … 180°, only with a cylinder", placeholder: "—" },
  { field: "add", label: "ADD", hint: "+0.75 … +3.50 (optional)", placeholder: "—" },
  { field: "pd", label: "PD", hint: "monocular, 20.0 … 40.0 mm (optional)", placeholder: "—" },
  { field: "prism", label: "Prism", hint: "0.25 … 10.00 Δ (optional)", placeholder: "—" },
];

export function PrescriptionForm() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const candidates = useCandidateAppointments();
  const [appointmentId, setAppointmentId] = useState<number | undefined>(
    params.get("appointment_id") ? Number(params.get("appointment_id")) : undefined,
  );
  const [eyes, setEyes] = useState<Record<EyeKey, EyeDraft>>({
    right_eye: { ...EMPTY_EYE, sphere: "0.00", cylinder: "0.00" },
    left_eye: { ...EMPTY_EYE, sphere: "0.00", cylinder: "0.00" },
  });
  const [issueDate, setIssueDate] = useState("");
  const [expiryDate, setExpiryDate] = useState("");
  const [notes, setNotes] = useState("");
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const create = useCreatePrescription();
  const formRef = useRef<HTMLFormElement>(null);
  const server = create.error instanceof ApiError ? create.error.fieldErrors : {};

  const local = { ...checkEye(eyes.right_eye, "right_eye"), ...checkEye(eyes.left_eye, "left_eye") };
  if (appointmentId === undefined) local.patient_id = "Choose the appointment (and so the patient).";
  if (issueDate && expiryDate && expiryDate <= issueDate) local.expiry_date = "must be after the issue date";
  const shown = (path: string) => ((submitted || touched[path]) && local[path]) || server[path];

  const appointment = candidates.data?.find((a) => a.id === appointmentId);
  const update = (eye: EyeKey, field: keyof EyeDraft, value: string) =>
    setEyes((old) => ({ ...old, [eye]: { ...old[eye], [field]: value } }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(local).length || !appointment) {
      // Take the keyboard to the first field to fix (after React has marked them invalid).
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    create.mutate(
      {
        patient_id: appointment.patient.id,
        appointment_id: appointment.id,
        right_eye: eyeBody(eyes.right_eye),
        left_eye: eyeBody(eyes.left_eye),
        issue_date: issueDate || undefined,
        expiry_date: expiryDate || undefined,
        notes: notes.trim() || undefined,
      },
      {
        // The prescription.created event tells the optometrist (and the patient) it is issued.
        onSuccess: () => void navigate("/prescriptions"),
      },
    );
  };

  return (
    <section>
      <PageTitle title="Write a prescription" />
      <form ref={formRef} className="card stack" onSubmit={submit} noValidate data-testid="rx-form">
        <Field label="Appointment" error={shown("patient_id") || shown("appointment_id")}>
          <select
            value={appointmentId ?? ""}
            onChange={(e) => setAppointmentId(e.target.value ? Number(e.target.value) : undefined)}
            data-testid="rx-appointment"
          >
            <option value="">{candidates.isPending ? "Loading your appointments…" : "Choose…"}</option>
            {candidates.data?.map((a) => (
              <option key={a.id} value={a.id}>
                {a.status === "in_progress" ? "● " : ""}
                {a.patient.name} · {formatDay(a.date)}, {formatTime(a.start_time)} · {a.branch.name}
              </option>
            ))}
          </select>
        </Field>
        {candidates.isSuccess && candidates.data.length === 0 && (
          <p className="muted">You have no appointments yet: a prescription is written for a patient you have seen.</p>
        )}
        <div className="rx-grid" role="group" aria-label="Refraction">
          <div className="rx-grid__head" aria-hidden="true" />
          <div className="rx-grid__head">Right (OD)</div>
          <div className="rx-grid__head">Left (OS)</div>
          {ROWS.map((row) => (
            <RxRow key={row.field} row={row} eyes={eyes} update={update} shown={shown} touch={(p) => setTouched((t) => ({ ...t, [p]: true }))} />
          ))}
          <div className="rx-grid__label">Base</div>
          {(["right_eye", "left_eye"] as const).map((eye) => (
            <div key={eye} className="rx-grid__cell">
              <select
                aria-label={`${eye === "right_eye" ? "Right" : "Left"} prism base`}
                value={eyes[eye].prism_base}
                onChange={(e) => update(eye, "prism_base", e.target.value)}
                aria-invalid={shown(`${eye}.prism_base`) ? true : undefined}
              >
                <option value="">—</option>
                <option value="up">up</option>
                <option value="down">down</option>
                <option value="in">in</option>
                <option value="out">out</option>
              </select>
              {shown(`${eye}.prism_base`) && <small className="field__error">{shown(`${eye}.prism_base`)}</small>}
            </div>
          ))}
        </div>
        <div className="grid-2">
          <Field label="Issue date (default today)" error={shown("issue_date")}>
            <input type="date" value={issueDate} onChange={(e) => setIssueDate(e.target.value)} />
          </Field>
          <Field label="Expiry date (default one year later)" error={shown("expiry_date")}>
            <input type="date" value={expiryDate} onChange={(e) => setExpiryDate(e.target.value)} />
          </Field>
        </div>
        <Field label="Notes (optional)" error={shown("notes")}>
          <textarea rows={2} maxLength={4000} value={notes} onChange={(e) => setNotes(e.target.value)} />
        </Field>
        {submitted && Object.keys(local).length > 0 && (
          <p className="form-error" role="alert">Please correct the {Object.keys(local).length === 1 ? "field" : "fields"} marked in red.</p>
        )}
        {create.isError && !Object.keys(server).length && <p className="form-error" role="alert">{errorMessage(create.error)}</p>}
        <div className="row">
          <SubmitButton pending={create.isPending} busy="Issuing…" testId="rx-submit">
            Issue prescription
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

function RxRow(props: {
  row: (typeof ROWS)[number];
  eyes: Record<EyeKey, EyeDraft>;
  update: (eye: EyeKey, field: keyof EyeDraft, value: string) => void;
  shown: (path: string) => string | false | undefined;
  touch: (path: string) => void;
}) {
  const { row } = props;
  return (
    <>
      <div className="rx-grid__label">
        {row.label}
        <small className="muted">{row.hint}</small>
      </div>
      {(["right_eye", "left_eye"] as const).map((eye) => {
        const path = `${eye}.${row.field}`;
        const error = props.shown(path);
        return (
          <div key={eye} className={`rx-grid__cell ${error ? "field--invalid" : ""}`}>
            <input
              inputMode={row.field === "axis" ? "numeric" : "decimal"}
              aria-label={`${eye === "right_eye" ? "Right" : "Left"} ${row.label}`}
              placeholder={row.placeholder}
              value={props.eyes[eye][row.field]}
              onChange={(e) => props.update(eye, row.field, e.target.value)}
              onBlur={() => props.touch(path)}
              aria-invalid={error ? true : undefined}
              data-testid={`rx-${path}`}
            />
            {error && <small className="field__error" data-testid="rx-error">{error}</small>}
          </div>
        );
      })}
    </>
  );
}
