import { useRef, useState, type KeyboardEvent } from "react";
import { useSearchParams } from "react-router";
import { todayIso } from "@/shared/lib/format";
import { useUser } from "@/shared/session/session";
import { PageTitle } from "@/shared/ui/PageTitle";
import type { AppointmentFilters, AppointmentStatus } from "../api/types";
import { AppointmentList, UPCOMING } from "./AppointmentList";
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
  const [params] = useSearchParams();
  const focusId = Number(params.get("focus")) || undefined;
  // "Open" on a toast or an inbox row lands on that appointment, whatever its status.
  const [view, setView] = useState<View>(focusId ? "all" : "upcoming");
  const [viewFocus, setViewFocus] = useState(focusId);
  if (viewFocus !== focusId) {
    setViewFocus(focusId);
    if (focusId) setView("all");
  }
  const [booking, setBooking] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const closeBooking = () => {
    setBooking(false);
    queueMicrotask(() => toggle.current?.focus());
  };
  const filters: AppointmentFilters =
    view === "upcoming" ? { date_from: todayIso() } : view === "all" ? {} : { status: view };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && booking) closeBooking();
  };
  return (
    <section onKeyDown={onKeyDown}>
      <PageTitle title="Appointments">
        {canBook && (
          <button ref={toggle} type="button" className="btn btn--primary" onClick={() => setBooking((b) => !b)} aria-expanded={booking} data-testid="open-booking">
            {booking ? "Close booking" : "Book an appointment"}
          </button>
        )}
      </PageTitle>
      {booking && <BookingForm onBooked={closeBooking} />}
      <div className="tabs" role="group" aria-label="Show">
        {VIEWS.map((v) => (
          <button key={v.value} type="button" className="tab" aria-pressed={view === v.value} onClick={() => setView(v.value)}>
            {v.label}
          </button>
        ))}
      </div>
      <AppointmentList
        filters={filters}
        only={view === "upcoming" ? UPCOMING : undefined}
        focusId={focusId}
        emptyHint={canBook ? "Book one with the button above; new bookings appear here as they happen." : "New bookings appear here as they happen."}
      />
    </section>
  );
}
