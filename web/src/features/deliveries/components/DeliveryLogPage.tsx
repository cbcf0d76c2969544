import { useState } from "react";
import { formatInstant, timeAgo } from "@/shared/lib/format";
import { Badge } from "@/shared/ui/Badge";
import { PageTitle } from "@/shared/ui/PageTitle";
import { Empty, QueryState } from "@/shared/ui/states";
import { useDeliveries, type DeliveryFilters } from "../api/get-deliveries";
import { Table } from "@/shared/ui/Table";

const TONE = { sent: "success", failed: "danger", skipped: "neutral", pending: "warning" } as const;

export function DeliveryLogPage() {
  const [filters, setFilters] = useState<DeliveryFilters>({});
  const deliveries = useDeliveries(filters);
  const set = (name: keyof DeliveryFilters) => (value: string) => setFilters((f) => ({ ...f, [name]: value || undefined }));
  return (
    <section>
      <PageTitle title="Delivery log">
        <button type="button" className="btn" onClick={() => void deliveries.refetch()} disabled={deliveries.isFetching} data-testid="deliveries-refresh">
          {deliveries.isFetching ? "Refreshing…" : "Refresh"}
        </button>
      </PageTitle>
      <div className="filters">
        <select aria-label="Status" value={filters.status ?? ""} onChange={(e) => set("status")(e.target.value)} data-testid="filter-status">
          <option value="">Any status</option>
          {["pending", "sent", "failed", "skipped"].map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <select aria-label="Channel" value={filters.channel ?? ""} onChange={(e) => set("channel")(e.target.value)} data-testid="filter-channel">
          <option value="">Any channel</option>
          <option value="email">email</option>
          <option value="push">push</option>
        </select>
        <input type="number" min={1} placeholder="User id" aria-label="User id" value={filters.user_id ?? ""} onChange={(e) => set("user_id")(e.target.value)} />
      </div>
      <QueryState query={deliveries} loading="Reading the log…">
        {(rows) =>
          rows.length === 0 ? (
            <Empty title="No deliveries match." />
          ) : (
            <Table columns={["Person", "Channel", "Status", { label: "Attempts", className: "num" }, "Planned", "Sent", "Reason"]} testId="deliveries-table">
                  {rows.map((row) => (
                    <tr key={row.id} data-testid="delivery-row" data-status={row.status}>
                      <th scope="row">{row.user.name}</th>
                      <td>{row.channel}</td>
                      <td><Badge tone={TONE[row.status]}>{row.status}</Badge></td>
                      <td className="num">{row.attempts}</td>
                      <td><time dateTime={row.created_at} title={formatInstant(row.created_at)}>{timeAgo(row.created_at)}</time></td>
                      <td>{row.sent_at ? <time dateTime={row.sent_at} title={formatInstant(row.sent_at)}>{timeAgo(row.sent_at)}</time> : "—"}</td>
                      <td className="small">{row.last_error ?? ""}</td>
                    </tr>
                  ))}
            </Table>
          )
        }
      </QueryState>
    </section>
  );
}
