import { useState } from "react";
import { todayIso } from "@/shared/lib/format";
import { useUser } from "@/shared/session/session";
import { PageTitle } from "@/shared/ui/PageTitle";
import type { AppointmentFilters, AppointmentStatus } from "../api/types";
import { AppointmentList } from "./AppointmentList";
import { BookingForm } from "./BookingForm";

type View = "upcoming" | "all" | AppointmentStatus;
const VIEWS: { value: View; label: string }[] = [
  { value: "upcoming", label: "Upcoming" },
  { value: "scheduled", label: "Scheduled" },
  { value: "confirmed", label: "Confirmed" },
  { value: "in_progress", label: "In progress" },
  { value: "completed", label: "Completed" },
  { value: "cancelled", label: "Cancelled" },
  { value: "all", label: "All" },
];

export function AppointmentsPage() {
  const user = useUser();
  const canBook = user.role !== "optometrist";
  const [view, setView] = useState<View>("upcoming");
  const [booking, setBooking] = useState(false);
  const filters: AppointmentFilters =
    view === "upcoming" ? { date_from: todayIso() } : view === "all" ? {} : { status: view };
  return (
    <section>
      <PageTitle title="Appointments">
        {canBook && (
          <button type="button" className="btn btn--primary" onClick={() => setBooking((b) => !b)} aria-expanded={booking} data-testid="open-booking">
            {booking ? "Close booking" : "Book an appointment"}
          </button>
        )}
      </PageTitle>
      {booking && <BookingForm onBooked={() => setBooking(false)} />}
      <div className="tabs" role="group" aria-label="Show">
        {VIEWS.map((v) => (
          <button key={v.value} type="button" className="tab" aria-pressed={view === v.value} onClick={() => setView(v.value)}>
            {v.label}
          </button>
        ))}
      </div>
      <AppointmentList
        filters={filters}
        emptyHint={canBook ? "Book one with the button above; new bookings appear here as they happen." : "New bookings appear here as they happen."}
      />
    </section>
  );
}
