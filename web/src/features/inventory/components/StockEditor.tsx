import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { ApiError, errorMessage } from "@/shared/api/client";
import { Field } from "@/shared/ui/Field";
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

function AdjustForm({ branchId, row, onClose }: { branchId: number; row: StockRow; onClose: () => void }) {
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const adjust = useAdjustStock();
  const server = adjust.error instanceof ApiError ? adjust.error.fieldErrors : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const n = Number(delta);
    const problems: Record<string, string> = {};
    if (!Number.isInteger(n) || n === 0) problems.delta = "A whole number, not zero: negative takes stock out.";
    else if (row.on_hand + n < 0) problems.delta = `Only ${row.on_hand} on hand: stock cannot go below zero.`;
    if (!reason.trim()) problems.reason = "Say why (it is kept with the movement).";
    setLocal(problems);
    if (Object.keys(problems).length) return;
    adjust.mutate(
      { branchId, productId: row.product.id, delta: n, reason: reason.trim() },
      {
        onSuccess: (out) => {
          toast.success(`${row.product.name}: ${out.on_hand} on hand`);
          onClose();
        },
      },
    );
  };
  const after = Number.isInteger(Number(delta)) && delta !== "" ? row.on_hand + Number(delta) : null;
  return (
    <form className="stock-editor__form" onSubmit={submit} noValidate>
      <Field label="Change (+/−)" error={local.delta ?? server.delta} hint={after !== null ? `${after} on hand after` : "e.g. -3 or 12"}>
        <input type="number" step={1} inputMode="numeric" value={delta} onChange={(e) => setDelta(e.target.value)} autoFocus data-testid="adjust-delta" />
      </Field>
      <Field label="Reason" error={local.reason ?? server.reason}>
        <input list="stock-reasons" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} data-testid="adjust-reason" />
      </Field>
      <datalist id="stock-reasons">
        {REASONS.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
      {adjust.isError && !Object.keys(server).length && <p className="form-error">{errorMessage(adjust.error)}</p>}
      <div className="row">
        <button type="submit" className="btn btn--small btn--primary" disabled={adjust.isPending} data-testid="adjust-submit">
          Apply
        </button>
        <button type="button" className="btn btn--small" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

function SetForm({ branchId, row, onClose }: { branchId: number; row: StockRow; onClose: () => void }) {
  const [onHand, setOnHand] = useState(String(row.on_hand));
  const [threshold, setThreshold] = useState(String(row.threshold));
  const [local, setLocal] = useState<Record<string, string>>({});
  const set = useSetStock();
  const server = set.error instanceof ApiError ? set.error.fieldErrors : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    const a = Number(onHand);
    const b = Number(threshold);
    if (!Number.isInteger(a) || a < 0) problems.on_hand = "A whole number, 0 or more.";
    else if (a < row.reserved) problems.on_hand = `${row.reserved} are reserved: on hand cannot be less.`;
    if (!Number.isInteger(b) || b < 0) problems.threshold = "A whole number, 0 or more.";
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const body: { on_hand?: number; threshold?: number } = {};
    if (a !== row.on_hand) body.on_hand = a;
    if (b !== row.threshold) body.threshold = b;
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
  };
  return (
    <form className="stock-editor__form" onSubmit={submit} noValidate>
      <Field label="On hand" error={local.on_hand ?? server.on_hand}>
        <input type="number" min={0} step={1} value={onHand} onChange={(e) => setOnHand(e.target.value)} data-testid="set-on-hand" />
      </Field>
      <Field label="Low-stock threshold" error={local.threshold ?? server.threshold} hint="Alert when available stock is at or below this.">
        <input type="number" min={0} step={1} value={threshold} onChange={(e) => setThreshold(e.target.value)} data-testid="set-threshold" />
      </Field>
      {set.isError && !Object.keys(server).length && <p className="form-error">{errorMessage(set.error)}</p>}
      <div className="row">
        <button type="submit" className="btn btn--small btn--primary" disabled={set.isPending} data-testid="set-submit">
          Save
        </button>
        <button type="button" className="btn btn--small" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
