import { useState } from "react";
import { Link } from "react-router";
import { useBranches } from "@/shared/api/reference";
import { formatDay } from "@/shared/lib/format";
import { useUser } from "@/shared/session/session";
import { Badge } from "@/shared/ui/Badge";
import { PageTitle } from "@/shared/ui/PageTitle";
import { Empty, QueryState } from "@/shared/ui/states";
import { useOrders } from "../api/get-orders";
import { LENS_LABELS, STATUS_LABELS, type Order, type OrderStatus } from "../api/types";
import { OrderCard, STATUS_TONE } from "./OrderCard";
import { NamedOptions } from "@/shared/ui/controls";

export function OrdersPage() {
  const user = useUser();
  return user.role === "customer" ? <MyOrders /> : <OrderBoard />;
}

/** The patient's own orders, newest news first; the status changes live with order events. */
function MyOrders() {
  const orders = useOrders();
  return (
    <section>
      <PageTitle title="My glasses" />
      <QueryState query={orders} loading="Loading your orders…">
        {(rows) =>
          rows.length === 0 ? (
            <Empty title="No orders yet.">When the clinic orders glasses for you, you can follow them here.</Empty>
          ) : (
            <ul className="order-list" data-testid="my-orders" aria-live="polite">
              {[...rows].reverse().map((order) => (
                <MyOrder key={order.id} order={order} />
              ))}
            </ul>
          )
        }
      </QueryState>
    </section>
  );
}

function MyOrder({ order }: { order: Order }) {
  const headline: Record<OrderStatus, string> = {
    ordered: `Ordered — expected by ${formatDay(order.due_date)}`,
    in_lab: `Being made at the lab — expected by ${formatDay(order.due_date)}`,
    ready: `Ready for pickup at ${order.branch.name}`,
    collected: "Collected",
    cancelled: "Cancelled",
  };
  return (
    <li className="card order-card" data-testid="order-row" data-number={order.number} data-status={order.status}>
      <div className="order-card__head">
        <strong>{LENS_LABELS[order.lens_type]}</strong>
        <Badge tone={STATUS_TONE[order.status]} testId="order-status">
          {STATUS_LABELS[order.status]}
        </Badge>
      </div>
      <div>{headline[order.status]}</div>
      <div className="muted small">
        {order.number} · {order.branch.name}
        {order.frame && <> · {order.frame.name}</>}
      </div>
    </li>
  );
}

const COLUMNS: OrderStatus[] = ["ordered", "in_lab", "ready"];

/** Staff, optometrists and admins: the branch's orders by status, late ones marked. */
function OrderBoard() {
  const user = useUser();
  const branches = useBranches();
  const [branchId, setBranchId] = useState<number | undefined>(undefined);
  const orders = useOrders(branchId ? { branch_id: branchId } : {});
  const mine = (branches.data ?? []).filter((b) => user.role === "admin" || user.branch_ids.includes(b.id));
  return (
    <section>
      <PageTitle title="Glasses orders">
        <Link className="btn btn--primary" to="/orders/new" data-testid="order-new">
          Order glasses
        </Link>
      </PageTitle>
      {mine.length > 1 && (
        <div className="toolbar">
          <label htmlFor="order-branch">Branch</label>
          <select
            id="order-branch"
            value={branchId ?? ""}
            onChange={(event) => setBranchId(event.target.value ? Number(event.target.value) : undefined)}
          >
            <option value="">{user.role === "admin" ? "All branches" : "All my branches"}</option>
            <NamedOptions items={mine} />
          </select>
        </div>
      )}
      <QueryState query={orders} loading="Loading orders…">
        {(rows) => <Board rows={rows} />}
      </QueryState>
    </section>
  );
}

function Board({ rows }: { rows: Order[] }) {
  const done = rows.filter((o) => o.status === "collected" || o.status === "cancelled").reverse();
  return (
    <>
      <div className="order-board" data-testid="order-board">
        {COLUMNS.map((status) => {
          const here = rows.filter((o) => o.status === status);
          const late = here.filter((o) => o.late).length;
          return (
            <section key={status} className="order-column" aria-labelledby={`col-${status}`} data-testid={`column-${status}`}>
              <h2 id={`col-${status}`}>
                {STATUS_LABELS[status]} <span className="muted">({here.length})</span>
                {late > 0 && <span className="badge badge--danger">{late} late</span>}
              </h2>
              {here.length === 0 ? (
                <p className="muted small">None.</p>
              ) : (
                <ul className="order-list">
                  {here.map((order) => (
                    <OrderCard key={order.id} order={order} canAct />
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      </div>
      {done.length > 0 && (
        <details className="order-done">
          <summary>Collected and cancelled ({done.length})</summary>
          <ul className="order-list">
            {done.map((order) => (
              <OrderCard key={order.id} order={order} canAct={false} />
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
