import { useUser } from "@/shared/session/session";
import { Empty, QueryState } from "@/shared/ui/states";
import { useAppointments } from "../api/get-appointments";
import type { AppointmentFilters } from "../api/types";
import { AppointmentRow } from "./AppointmentRow";

export function AppointmentList({ filters, emptyHint, limit }: { filters: AppointmentFilters; emptyHint?: string; limit?: number }) {
  const user = useUser();
  const query = useAppointments(filters);
  return (
    <QueryState query={query} loading="Loading appointments…">
      {(rows) =>
        rows.length === 0 ? (
          <Empty title="No appointments here.">{emptyHint}</Empty>
        ) : (
          <ul className="appts" data-testid="appointment-list" aria-live="polite">
            {rows.slice(0, limit ?? rows.length).map((a) => (
              <AppointmentRow key={a.id} appointment={a} role={user.role} />
            ))}
          </ul>
        )
      }
    </QueryState>
  );
}
