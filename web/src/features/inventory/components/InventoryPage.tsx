import { Fragment, useState } from "react";
import { useSearchParams } from "react-router";
import { useBranches } from "@/shared/api/reference";
import { titleCase } from "@/shared/lib/format";
import { useUser } from "@/shared/session/session";
import { Badge } from "@/shared/ui/Badge";
import { PageTitle } from "@/shared/ui/PageTitle";
import { Empty, QueryState } from "@/shared/ui/states";
import { useStock } from "../api/get-stock";
import type { StockStatus } from "../api/types";
import { StockEditor } from "./StockEditor";
import { Table } from "@/shared/ui/Table";
import { NamedOptions } from "@/shared/ui/controls";

const STATUS_LABEL: Record<StockStatus, string> = { normal: "In stock", low: "Low", out: "Out" };
const STATUS_TONE = { normal: "success", low: "warning", out: "danger" } as const;

export function InventoryPage() {
  const user = useUser();
  const branches = useBranches();
  const [params] = useSearchParams();
  // "Open" on a stock alert lands here with that product marked.
  const focusId = Number(params.get("focus")) || undefined;
  const own = user.role === "staff" ? user.branch_ids[0] : undefined;
  const [chosen, setChosen] = useState<number | undefined>(own ?? (Number(params.get("branch")) || undefined));
  const branchId = chosen ?? own ?? branches.data?.[0]?.id;
  const stock = useStock(branchId);
  const [filter, setFilter] = useState<"all" | "attention">("all");
  const [editing, setEditing] = useState<number | null>(null);
  const branchName = branches.data?.find((b) => b.id === branchId)?.name;

  return (
    <section>
      <PageTitle title={branchName ? `Inventory · ${branchName}` : "Inventory"}>
        {user.role === "admin" && (
          <label className="inline-field">
            Branch
            <select value={branchId ?? ""} onChange={(e) => { setChosen(Number(e.target.value)); setEditing(null); }} data-testid="inventory-branch">
              <NamedOptions items={branches.data} />
            </select>
          </label>
        )}
      </PageTitle>
      {branchId === undefined ? (
        <QueryState query={branches}>{() => <Empty title="No branch to show." />}</QueryState>
      ) : (
        <QueryState query={stock} loading="Loading stock…">
          {(rows) => {
            const low = rows.filter((r) => r.status === "low").length;
            const out = rows.filter((r) => r.status === "out").length;
            const shown = filter === "all" ? rows : rows.filter((r) => r.status !== "normal");
            return (
              <>
                <div className="summary">
                  <div className="summary__item"><strong>{rows.length}</strong> products</div>
                  <div className="summary__item summary__item--warning"><strong>{low}</strong> low</div>
                  <div className="summary__item summary__item--danger"><strong>{out}</strong> out</div>
                  <div className="tabs" role="group" aria-label="Show">
                    <button type="button" className="tab" aria-pressed={filter === "all"} onClick={() => setFilter("all")}>All</button>
                    <button type="button" className="tab" aria-pressed={filter === "attention"} onClick={() => setFilter("attention")}>Needs attention</button>
                  </div>
                </div>
                {shown.length === 0 ? (
                  <Empty title={filter === "all" ? "This branch stocks nothing yet." : "Nothing is low or out. 🎉"} />
                ) : (
                  <Table columns={["Product", { label: "On hand", className: "num" }, { label: "Reserved", className: "num hide-narrow" }, { label: "Available", className: "num" }, { label: "Threshold", className: "num" }, "Status", { label: <span className="sr-only">Actions</span> }]} className="table--stack" testId="stock-table" region="Stock table">
                        {shown.map((row) => (
                          <Fragment key={row.product.id}>
                            <tr className={`stock stock--${row.status} ${row.product.id === focusId ? "stock--focused" : ""}`} data-testid="stock-row" data-sku={row.product.sku} data-status={row.status}>
                              <th scope="row">
                                {row.product.name}
                                <div className="muted small">{row.product.sku} · {titleCase(row.product.category)}</div>
                              </th>
                              <td className="num" data-label="On hand" data-testid="stock-on-hand">{row.on_hand}</td>
                              <td className="num hide-narrow" data-label="Reserved">{row.reserved}</td>
                              <td className="num" data-label="Available">{row.available}</td>
                              <td className="num" data-label="Threshold">{row.threshold}</td>
                              <td data-label="Status"><Badge tone={STATUS_TONE[row.status]} testId="stock-status">{STATUS_LABEL[row.status]}</Badge></td>
                              <td className="table__action">
                                <button
                                  type="button"
                                  className="btn btn--small"
                                  aria-expanded={editing === row.product.id}
                                  onClick={() => setEditing(editing === row.product.id ? null : row.product.id)}
                                  data-testid="stock-edit"
                                >
                                  Change<span className="sr-only"> {row.product.name}</span>
                                </button>
                              </td>
                            </tr>
                            {editing === row.product.id && (
                              <tr className="stock-editor-row">
                                <td colSpan={7}>
                                  <StockEditor branchId={branchId} row={row} onClose={() => setEditing(null)} />
                                </td>
                              </tr>
                            )}
                          </Fragment>
                        ))}
                  </Table>
                )}
              </>
            );
          }}
        </QueryState>
      )}
    </section>
  );
}
