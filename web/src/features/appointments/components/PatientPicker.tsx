import { useDeferredValue, useId, useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "@/shared/api/client";
import type { UserRow } from "@/shared/api/reference";
import { Field } from "@/shared/ui/Field";
import { useCustomerSearch, useRegisterWalkIn } from "../api/customers";

/**
 * The front desk's patient: search every customer of the chain by name, email or phone, or
 * register a walk-in on the spot (name and a phone or an email) and carry on booking.
 */
export function PatientPicker({ value, onChange, error }: { value: UserRow | null; onChange: (patient: UserRow | null) => void; error?: string }) {
  const [text, setText] = useState("");
  const [registering, setRegistering] = useState(false);
  const query = useDeferredValue(text);
  const results = useCustomerSearch(query, value === null && !registering);
  const listId = useId();

  if (value) {
    return (
      <div className="field">
        <span className="field__label">Patient</span>
        <div className="picked" data-testid="booking-patient-chosen">
          <span>
            <strong>{value.name}</strong>
            <span className="muted small"> {contact(value)}</span>
          </span>
          <button type="button" className="btn btn--small" onClick={() => onChange(null)}>
            Change patient
          </button>
        </div>
      </div>
    );
  }
  if (registering) {
    return (
      <WalkInForm
        initialName={text}
        onCancel={() => setRegistering(false)}
        onCreated={(patient) => {
          setRegistering(false);
          onChange(patient);
        }}
      />
    );
  }
  const rows = results.data ?? [];
  // Until the rows answer what is typed (the previous search's rows stay while the new one is
  // read), the list is busy: it may still change under the pointer.
  const current = query === text && !results.isPlaceholderData && !results.isFetching;
  return (
    <div className="patient-picker">
      <Field label="Patient" error={error} hint="Name, email or phone">
        <input
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Search all customers…"
          aria-controls={listId}
          autoComplete="off"
          data-testid="booking-patient-search"
        />
      </Field>
      <ul id={listId} className="patient-picker__results" aria-label="Matching customers" aria-busy={!current} data-testid="booking-patient-results">
        {rows.map((c) => (
          <li key={c.id}>
            <button type="button" className="patient-picker__row" onClick={() => onChange(c)} data-testid="booking-patient-option">
              <strong>{c.name}</strong> <span className="muted small">{contact(c)}</span>
            </button>
          </li>
        ))}
        {results.isSuccess && rows.length === 0 && <li className="muted small">No customer matches “{query}”.</li>}
      </ul>
      <button type="button" className="btn btn--small" onClick={() => setRegistering(true)} data-testid="walk-in-open">
        Register a new patient
      </button>
    </div>
  );
}

function contact(c: UserRow): string {
  const email = c.email.endsWith("@no-email.invalid") ? "" : c.email;
  return [email, c.phone].filter(Boolean).join(" · ");
}

function WalkInForm({ initialName, onCancel, onCreated }: { initialName: string; onCancel: () => void; onCreated: (patient: UserRow) => void }) {
  const [name, setName] = useState(initialName);
  const [phone, setPhone] = useState("");
  const [email, setEmail] = useState("");
  const register = useRegisterWalkIn();
  const errors = register.error instanceof ApiError ? register.error.fieldErrors : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    event.stopPropagation();
    register.mutate({ name: name.trim(), phone: phone.trim(), email: email.trim() || undefined }, { onSuccess: onCreated });
  };
  // A nested <form> is not allowed inside the booking form: this is a group with its own button.
  return (
    <fieldset className="walk-in" data-testid="walk-in-form">
      <legend>New patient</legend>
      <div className="grid-2">
        <Field label="Full name" error={errors.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" data-testid="walk-in-name" autoFocus />
        </Field>
        <Field label="Phone" error={errors.phone ? "Give a phone number or an email so the clinic can reach them." : undefined}>
          <input type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} autoComplete="off" data-testid="walk-in-phone" />
        </Field>
        <Field label="Email (optional)" error={errors.email ? "Enter an email address like name@example.com." : undefined}>
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" data-testid="walk-in-email" />
        </Field>
      </div>
      {register.isError && !Object.keys(errors).length && <p className="form-error" role="alert">{errorMessage(register.error)}</p>}
      <div className="row">
        <button type="button" className="btn btn--primary btn--small" onClick={submit} disabled={register.isPending || !name.trim()} data-testid="walk-in-submit">
          {register.isPending ? "Registering…" : "Register and choose"}
        </button>
        <button type="button" className="btn btn--small" onClick={onCancel}>
          Back to search
        </button>
      </div>
    </fieldset>
  );
}
