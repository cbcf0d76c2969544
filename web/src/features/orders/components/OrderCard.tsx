import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { errorMessage } from "@/shared/api/client";
import { formatDay } from "@/shared/lib/format";
import { Badge, type Tone } from "@/shared/ui/Badge";
import { useActOnOrder } from "../api/act-on-order";
import { CANCELLABLE, LENS_LABELS, NEXT_ACTION, STATUS_LABELS, type Order, type OrderAction } from "../api/types";

export const STATUS_TONE: Record<Order["status"], Tone> = {
  ordered: "info",
  in_lab: "warning",
  ready: "success",
  collected: "neutral",
  cancelled: "danger",
};

/** One order on the branch's board: who, what, when it is due, and the next step. */
export function OrderCard({ order, canAct }: { order: Order; canAct: boolean }) {
  const act = useActOnOrder();
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState("");
  const next = NEXT_ACTION[order.status];

  const run = (action: OrderAction, why?: string) =>
    act.mutate(
      { id: order.id, action, reason: why },
      {
        onSuccess: () => setCancelling(false),
        onError: (error) => toast.error(`Could not update ${order.number}`, { description: errorMessage(error) }),
      },
    );

  const submitCancel = (event: FormEvent) => {
    event.preventDefault();
    run("cancel", reason.trim());
  };

  return (
    <li
      className={`card order-card ${order.late ? "order-card--late" : ""}`}
      data-testid="order-row"
      data-number={order.number}
      data-status={order.status}
    >
      <div className="order-card__head">
        <strong>{order.number}</strong>
        <Badge tone={STATUS_TONE[order.status]} testId="order-status">
          {STATUS_LABELS[order.status]}
        </Badge>
        {order.late && (
          <Badge tone="danger" testId="order-late">
            Late
          </Badge>
        )}
      </div>
      <div>{order.patient.name}</div>
      <div className="muted small">
        {LENS_LABELS[order.lens_type]}
        {order.frame && <> · {order.frame.name}</>} · {order.branch.name}
      </div>
      <div className="small">
        {order.status === "collected" || order.status === "cancelled" ? (
          <>Ordered {formatDay(order.ordered_on)}</>
        ) : (
          <>Due {formatDay(order.due_date)}</>
        )}
      </div>
      {order.cancel_reason && <div className="small muted">Reason: {order.cancel_reason}</div>}
      {canAct && (next || CANCELLABLE.includes(order.status)) && (
        <div className="order-card__actions">
          {next && (
            <button
              type="button"
              className="btn btn--small btn--primary"
              disabled={act.isPending}
              onClick={() => run(next.action)}
              data-testid={`order-action-${next.action}`}
            >
              {next.label}
            </button>
          )}
          {CANCELLABLE.includes(order.status) && (
            <button
              type="button"
              className="btn btn--small btn--danger-outline"
              aria-expanded={cancelling}
              onClick={() => setCancelling((open) => !open)}
            >
              Cancel…
            </button>
          )}
        </div>
      )}
      {cancelling && (
        <form className="order-card__cancel" onSubmit={submitCancel}>
          <label className="sr-only" htmlFor={`cancel-${order.id}`}>
            Reason for cancelling {order.number}
          </label>
          <input
            id={`cancel-${order.id}`}
            value={reason}
            maxLength={500}
            placeholder="Reason (optional)"
            onChange={(event) => setReason(event.target.value)}
          />
          <button type="submit" className="btn btn--small btn--danger" disabled={act.isPending}>
            Cancel order
          </button>
        </form>
      )}
    </li>
  );
}
