import { useState } from "react";
import { toast } from "sonner";
import { ApiError, errorMessage } from "@/shared/api/client";
import { Field } from "@/shared/ui/Field";
import { errorOf, fieldOf, useSchemaForm } from "@/shared/lib/forms";
import { z } from "zod/mini";
import { useAdjustStock } from "../api/adjust-stock";
import { useSetStock } from "../api/set-stock";
import type { StockRow } from "../api/types";

const REASONS = ["Sold", "Received delivery", "Damaged", "Count correction", "Transfer"];

/** Adjust by a delta with a reason, or set on-hand and threshold. */
export function StockEditor({ branchId, row, onClose }: { branchId: number; row: StockRow; onClose: () => void }) {
  const [mode, setMode] = useState<"adjust" | "set">("adjust");
  return (
    <div className="stock-editor" data-testid="stock-editor">
      <div className="tabs tabs--small" role="group" aria-label="Change stock">
        <button type="button" className="tab" aria-pressed={mode === "adjust"} onClick={() => setMode("adjust")}>
          Adjust
        </button>
        <button type="button" className="tab" aria-pressed={mode === "set"} onClick={() => setMode("set")}>
          Set levels
        </button>
      </div>
      {mode === "adjust" ? <AdjustForm branchId={branchId} row={row} onClose={onClose} /> : <SetForm branchId={branchId} row={row} onClose={onClose} />}
    </div>
  );
}

/** A whole number from a number input's text ("" is 0). */
const whole = (message: string) =>
  z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n), message));

function adjustSchema(onHand: number) {
  const notZero = "A whole number, not zero: negative takes stock out.";
  return z.object({
    delta: whole(notZero).check(
      z.refine((n) => n !== 0, notZero),
      z.refine((n) => onHand + n >= 0, `Only ${onHand} on hand: stock cannot go below zero.`),
    ),
    reason: z.string().check(z.trim(), z.minLength(1, "Say why (it is kept with the movement).")),
  });
}

function setSchema(reserved: number) {
  const count = "A whole number, 0 or more.";
  return z.object({
    on_hand: whole(count).check(
      z.refine((n) => n >= 0, count),
      z.refine((n) => n >= reserved, `${reserved} are reserved: on hand cannot be less.`),
    ),
    threshold: whole(count).check(z.refine((n) => n >= 0, count)),
  });
}

type EditorProps = { branchId: number; row: StockRow; onClose: () => void };

/** What both forms end with: the server's refusal (when it names no field), then send / close. */
function EditorActions(props: { error: unknown; fieldErrors: Record<string, string>; pending: boolean; testId: string; label: string; onClose: () => void }) {
  return (
    <>
      {props.error !== null && !Object.keys(props.fieldErrors).length && <p className="form-error">{errorMessage(props.error)}</p>}
      <div className="row">
        <button type="submit" className="btn btn--small btn--primary" disabled={props.pending} data-testid={props.testId}>
          {props.label}
        </button>
        <button type="button" className="btn btn--small" onClick={props.onClose}>
          Close
        </button>
      </div>
    </>
  );
}

function AdjustForm({ branchId, row, onClose }: EditorProps) {
  const form = useSchemaForm(adjustSchema(row.on_hand), { delta: "", reason: "" });
  const adjust = useAdjustStock();
  const server = adjust.error instanceof ApiError ? adjust.error.fieldErrors : {};
  const submit = form.handleSubmit(({ delta, reason }) =>
    adjust.mutate(
      { branchId, productId: row.product.id, delta, reason },
      {
        onSuccess: (out) => {
          toast.success(`${row.product.name}: ${out.on_hand} on hand`);
          onClose();
        },
      },
    ),
  );
  const delta = form.watch("delta");
  const after = Number.isInteger(Number(delta)) && delta !== "" ? row.on_hand + Number(delta) : null;
  return (
    <form className="stock-editor__form" onSubmit={submit} noValidate>
      <Field label="Change (+/−)" error={errorOf(form, "delta", server)} hint={after !== null ? `${after} on hand after` : "e.g. -3 or 12"}>
        <input type="number" step={1} inputMode="numeric" {...fieldOf(form, "delta")} autoFocus data-testid="adjust-delta" />
      </Field>
      <Field label="Reason" error={errorOf(form, "reason", server)}>
        <input list="stock-reasons" maxLength={500} {...fieldOf(form, "reason")} data-testid="adjust-reason" />
      </Field>
      <datalist id="stock-reasons">
        {REASONS.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
      <EditorActions error={adjust.error} fieldErrors={server} pending={adjust.isPending} testId="adjust-submit" label="Apply" onClose={onClose} />
    </form>
  );
}

function SetForm({ branchId, row, onClose }: EditorProps) {
  const form = useSchemaForm(setSchema(row.reserved), { on_hand: String(row.on_hand), threshold: String(row.threshold) });
  const set = useSetStock();
  const server = set.error instanceof ApiError ? set.error.fieldErrors : {};
  const submit = form.handleSubmit(({ on_hand, threshold }) => {
    // Only what changed is sent (a threshold change must not rewrite a count taken meanwhile).
    const body = { ...(on_hand !== row.on_hand && { on_hand }), ...(threshold !== row.threshold && { threshold }) };
    if (!Object.keys(body).length) return onClose();
    set.mutate(
      { branchId, productId: row.product.id, ...body },
      {
        onSuccess: (out) => {
          toast.success(`${row.product.name}: ${out.on_hand} on hand, alert at ${out.threshold}`);
          onClose();
        },
      },
    );
  });
  return (
    <form className="stock-editor__form" onSubmit={submit} noValidate>
      <Field label="On hand" error={errorOf(form, "on_hand", server)}>
        <input type="number" min={0} step={1} {...fieldOf(form, "on_hand")} data-testid="set-on-hand" />
      </Field>
      <Field label="Low-stock threshold" error={errorOf(form, "threshold", server)} hint="Alert when available stock is at or below this.">
        <input type="number" min={0} step={1} {...fieldOf(form, "threshold")} data-testid="set-threshold" />
      </Field>
      <EditorActions error={set.error} fieldErrors={server} pending={set.isPending} testId="set-submit" label="Save" onClose={onClose} />
    </form>
  );
}
