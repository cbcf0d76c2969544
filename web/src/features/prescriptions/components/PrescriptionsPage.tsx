import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { formatDay } from "@/shared/lib/format";
import { useUser } from "@/shared/session/session";
import { PageTitle } from "@/shared/ui/PageTitle";
import { Empty, QueryState } from "@/shared/ui/states";
import { usePrescriptions } from "../api/get-prescriptions";
import type { Prescription } from "../api/types";
import type { EyeOut } from "../lib/rx-rules";
import { Table } from "@/shared/ui/Table";

export function PrescriptionsPage() {
  const user = useUser();
  const [params] = useSearchParams();
  const focusId = Number(params.get("focus")) || undefined;
  const list = usePrescriptions();
  return (
    <section>
      <PageTitle title={user.role === "customer" ? "My prescriptions" : "Prescriptions"}>
        {user.role === "optometrist" && (
          <Link className="btn btn--primary" to="/prescriptions/new" data-testid="rx-new">
            Write a prescription
          </Link>
        )}
      </PageTitle>
      <QueryState query={list} loading="Loading prescriptions…">
        {(rows) =>
          rows.length === 0 ? (
            <Empty title="No prescriptions yet.">
              {user.role === "customer"
                ? "After an eye exam, your prescription appears here."
                : "Prescriptions appear here when they are issued."}
            </Empty>
          ) : (
            <ul className="rx-list" data-testid="prescription-list">
              {rows.map((rx) => (
                <PrescriptionCard key={rx.id} rx={rx} showPatient={user.role !== "customer"} canOrder={user.role !== "customer"} focused={rx.id === focusId} />
              ))}
            </ul>
          )
        }
      </QueryState>
    </section>
  );
}

function PrescriptionCard({ rx, showPatient, canOrder, focused }: { rx: Prescription; showPatient: boolean; canOrder: boolean; focused: boolean }) {
  // "Open" on a toast or an inbox row lands here with the prescription unfolded.
  const [open, setOpen] = useState(focused);
  const expired = rx.expiry_date < new Date().toISOString().slice(0, 10);
  return (
    <li className={`card rx-card ${focused ? "appt--focused" : ""}`} data-testid="prescription-row" data-number={rx.number}>
      <button type="button" className="rx-card__head" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <strong>{rx.number}</strong>
        <span>{showPatient ? rx.patient.name : rx.optometrist.name}</span>
        <span className="muted small">
          {formatDay(rx.issue_date)} → {formatDay(rx.expiry_date)} {expired && <span className="badge badge--danger">expired</span>}
        </span>
        <span aria-hidden="true" className="chevron">{open ? "▾" : "▸"}</span>
      </button>
      {open && (
        <div className="rx-card__body">
          <Table columns={["Eye", "SPH", "CYL", "AXIS", "ADD", "PD", "Prism"]} className="table--compact" region="Prescriptions table">
                <EyeRow label="Right (OD)" eye={rx.right_eye} />
                <EyeRow label="Left (OS)" eye={rx.left_eye} />
          </Table>
          <p className="small muted">
            By {rx.optometrist.name}
            {showPatient && <> for {rx.patient.name}</>}
          </p>
          {rx.notes && <p>{rx.notes}</p>}
          {canOrder && !expired && (
            <Link className="btn btn--small btn--primary" to={`/orders/new?prescription_id=${rx.id}`} data-testid="rx-order">
              Order glasses
            </Link>
          )}
        </div>
      )}
    </li>
  );
}

const signed = (value: string | null) => (value === null ? "—" : Number(value) > 0 ? `+${value}` : value);

function EyeRow({ label, eye }: { label: string; eye: EyeOut }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{signed(eye.sphere)}</td>
      <td>{signed(eye.cylinder)}</td>
      <td>{eye.axis ?? "—"}</td>
      <td>{signed(eye.add)}</td>
      <td>{eye.pd ?? "—"}</td>
      <td>{eye.prism ? `${eye.prism} ${eye.prism_base ?? ""}` : "—"}</td>
    </tr>
  );
}
