import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { toast } from "sonner";
import { ApiError, errorMessage } from "@/shared/api/client";
import { useBranches } from "@/shared/api/reference";
import { formatDay } from "@/shared/lib/format";
import { useUser } from "@/shared/session/session";
import { Field } from "@/shared/ui/Field";
import { PageTitle } from "@/shared/ui/PageTitle";
import { QueryState } from "@/shared/ui/states";
import { useFrames, useRxChoices, type RxChoice } from "../api/get-order-sources";
import { usePlaceOrder } from "../api/place-order";
import { LENS_LABELS, type LensType } from "../api/types";
import { SubmitButton, NamedOptions } from "@/shared/ui/controls";

const LAB_DAYS: Record<LensType, number> = { single_vision: 3, bifocal: 7, progressive: 14, contact_lens: 5 };

/** Order glasses from a prescription: `?prescription_id=` (the prescription page) or
 * `?appointment_id=` (a completed visit: its prescription) preselects it. */
export function OrderForm() {
  const rx = useRxChoices();
  return (
    <section>
      <PageTitle title="Order glasses" />
      <QueryState query={rx} loading="Loading prescriptions…">
        {(choices) => <OrderFormBody choices={choices} />}
      </QueryState>
    </section>
  );
}

function preselected(choices: RxChoice[], params: URLSearchParams): number | "" {
  const rxId = Number(params.get("prescription_id"));
  if (rxId && choices.some((c) => c.id === rxId)) return rxId;
  const visit = Number(params.get("appointment_id"));
  return choices.find((c) => visit && c.appointment_id === visit)?.id ?? "";
}

function OrderFormBody({ choices }: { choices: RxChoice[] }) {
  const user = useUser();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const branches = useBranches();
  const frames = useFrames();
  const place = usePlaceOrder();
  const mine = (branches.data ?? []).filter((b) => user.role === "admin" || user.branch_ids.includes(b.id));
  const [rxId, setRxId] = useState<number | "">(() => preselected(choices, params));
  const [branchId, setBranchId] = useState<number | "">(user.branch_ids.length === 1 ? (user.branch_ids[0] ?? "") : "");
  const [lensType, setLensType] = useState<LensType>("single_vision");
  const [frameId, setFrameId] = useState<number | "">("");
  const [notes, setNotes] = useState("");
  const errors = place.error instanceof ApiError ? place.error.fieldErrors : {};

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (rxId === "" || branchId === "") return;
    place.mutate(
      { prescription_id: rxId, branch_id: branchId, lens_type: lensType, frame_product_id: frameId === "" ? null : frameId, notes },
      {
        onSuccess: (order) => {
          toast.success(`${order.number} ordered`, { description: `Due ${formatDay(order.due_date)}` });
          navigate("/orders");
        },
      },
    );
  };

  return (
    <form className="card form-narrow" onSubmit={submit} data-testid="order-form" noValidate>
      <Field label="Prescription" error={errors.prescription_id}>
        <select value={rxId} required onChange={(e) => setRxId(e.target.value ? Number(e.target.value) : "")} data-testid="order-rx">
          <option value="">Choose a prescription…</option>
          {choices.map((c) => (
            <option key={c.id} value={c.id}>
              {c.number} — {c.patient.name} ({formatDay(c.issue_date)})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Branch" error={errors.branch_id}>
        <select value={branchId} required onChange={(e) => setBranchId(e.target.value ? Number(e.target.value) : "")} data-testid="order-branch">
          <option value="">Choose a branch…</option>
          <NamedOptions items={mine} />
        </select>
      </Field>
      <fieldset className="field">
        <legend>Lenses</legend>
        {(Object.keys(LENS_LABELS) as LensType[]).map((type) => (
          <label key={type} className="radio">
            <input type="radio" name="lens_type" value={type} checked={lensType === type} onChange={() => setLensType(type)} />
            {LENS_LABELS[type]} <span className="muted small">({LAB_DAYS[type]} lab days)</span>
          </label>
        ))}
      </fieldset>
      <Field label="Frame" error={errors.frame_product_id} hint="Reserved at the branch until the order is collected.">
        <select value={frameId} onChange={(e) => setFrameId(e.target.value ? Number(e.target.value) : "")} data-testid="order-frame">
          <option value="">No frame (lenses only)</option>
          {(frames.data ?? []).map((f) => (
            <option key={f.id} value={f.id}>
              {f.name} ({f.sku})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Notes" error={errors.notes}>
        <textarea value={notes} maxLength={2000} rows={3} onChange={(e) => setNotes(e.target.value)} />
      </Field>
      {place.isError && Object.keys(errors).length === 0 && (
        <p className="form-error" role="alert">
          {errorMessage(place.error)}
        </p>
      )}
      <SubmitButton pending={place.isPending} busy="Ordering…" testId="order-submit" disabled={rxId === "" || branchId === ""}>
        Place order
      </SubmitButton>
    </form>
  );
}
