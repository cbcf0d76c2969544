import { useUser } from "@/shared/session/session";
import { Empty, QueryState } from "@/shared/ui/states";
import { useAppointments } from "../api/get-appointments";
import type { AppointmentFilters, AppointmentStatus } from "../api/types";
import { AppointmentRow } from "./AppointmentRow";

/** Visits still ahead or in the chair: what "upcoming" means (not completed, cancelled, missed). */
export const UPCOMING: AppointmentStatus[] = ["scheduled", "confirmed", "in_progress"];

export function AppointmentList({
  filters,
  emptyHint,
  limit,
  only,
  focusId,
}: {
  filters: AppointmentFilters;
  emptyHint?: string;
  limit?: number;
  /** Keep only these statuses (the API filters one status at a time). */
  only?: AppointmentStatus[];
  /** The appointment an "Open" link points at: highlighted and focused. */
  focusId?: number;
}) {
  const user = useUser();
  const query = useAppointments(filters);
  return (
    <QueryState query={query} loading="Loading appointments…">
      {(all) => {
        const rows = only ? all.filter((a) => only.includes(a.status)) : all;
        return rows.length === 0 ? (
          <Empty title="No appointments here.">{emptyHint}</Empty>
        ) : (
          // Not a live region: a changed list would be read out whole. Changes are announced in
          // one sentence by the toast and the announcer instead.
          <ul className="appts" data-testid="appointment-list">
            {rows.slice(0, limit ?? rows.length).map((a) => (
              <AppointmentRow key={a.id} appointment={a} user={user} focused={a.id === focusId} />
            ))}
          </ul>
        );
      }}
    </QueryState>
  );
}
