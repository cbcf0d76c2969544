import type { ReactNode } from "react";
import { useParams, useSearchParams } from "react-router";
import { ApiError } from "@/shared/api/client";
import { formatTime } from "@/shared/lib/format";
import { BrandCard } from "@/shared/ui/BrandCard";
import { useFollowVisitLink, useVisitLinkPreview, type VisitAction, type VisitAppointment } from "../api/visit-link";

const TYPE_NAMES: Record<string, string> = {
  eye_exam: "eye exam",
  contact_fitting: "contact lens fitting",
  follow_up: "follow-up",
  consultation: "consultation",
  emergency: "emergency visit",
};

const WORDS: Record<VisitAction, { title: string; button: string; busy: string; done: string; doneStatus: string }> = {
  confirm: { title: "Confirm your visit", button: "Confirm", busy: "Confirming…", done: "Your visit is confirmed. See you then!", doneStatus: "confirmed" },
  cancel: { title: "Cancel your visit", button: "Cancel the visit", busy: "Cancelling…", done: "Your visit is cancelled.", doneStatus: "cancelled" },
};

/** "Monday 7 December 2026 at 10:00 am": the branch's own date and time, as people read them
 * (never shifted by this device's zone: the visit happens where the branch is). */
function when(appointment: VisitAppointment): string {
  const [y, m, d] = appointment.date.split("-").map(Number);
  if (!y || !m || !d) return `${appointment.date} at ${formatTime(appointment.start_time)}`;
  const day = new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
  return `${day} at ${formatTime(appointment.start_time)}`;
}

/** The API's refusals, in words for the patient. */
function problem(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong. Try again in a moment.";
  if (error.code === "link_expired")
    return error.message.includes("moved")
      ? "Your visit was moved, so this link no longer works. The latest reminder has a link for the new time."
      : "This link has expired: it works only until the visit starts.";
  if (error.code === "invalid_link" || error.code === "not_found" || error.status === 422)
    return "This link is not valid. Open it again from your reminder, exactly as it was sent.";
  if (error.code === "invalid_transition") return "This visit can no longer be changed with this link.";
  if (error.status === 0) return error.message;
  return "Something went wrong. Try again in a moment.";
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <BrandCard title={title} className="stack">
      {children}
    </BrandCard>
  );
}

/** Where a reminder's confirm / cancel link leads, signed in or not. Opening it only reads the
 * visit (mail scanners that fetch links change nothing); the button does the action. */
export function VisitLinkPage() {
  const { action: raw = "" } = useParams();
  const [params] = useSearchParams();
  const action: VisitAction | null = raw === "confirm" || raw === "cancel" ? raw : null;
  const appointmentId = params.get("appointment") ?? "";
  const token = params.get("token") ?? "";
  const preview = useVisitLinkPreview(appointmentId, action ?? "confirm", action ? token : "");
  const follow = useFollowVisitLink(appointmentId, action ?? "confirm", token);

  if (!action || !appointmentId || !token)
    return (
      <Card title="This link is not complete">
        <p role="alert">Open it again from your reminder, exactly as it was sent.</p>
      </Card>
    );
  const words = WORDS[action];
  if (preview.isPending)
    return (
      <Card title={words.title}>
        <p role="status">Loading your visit…</p>
      </Card>
    );
  if (preview.isError)
    return (
      <Card title="This link cannot be used">
        <p role="alert" data-testid="visit-link-problem">
          {problem(preview.error)}
        </p>
      </Card>
    );

  const appointment = follow.data ?? preview.data.appointment;
  const what = TYPE_NAMES[appointment.type] ?? "visit";
  const sentence = `Your ${what} with ${appointment.optometrist.name} at ${appointment.branch.name}, ${when(appointment)}.`;
  // Confirm acts on a scheduled visit; cancel on a scheduled or confirmed one.
  const open = appointment.status === "scheduled" || (action === "cancel" && appointment.status === "confirmed");
  const settled = follow.isSuccess || !open;
  return (
    <Card title={words.title}>
      <p data-testid="visit-link-when">{sentence}</p>
      {follow.isSuccess ? (
        <p role="status" data-testid="visit-link-done">
          {words.done}
        </p>
      ) : settled ? (
        <p role="status" data-testid="visit-link-done">
          {appointment.status === "confirmed"
            ? "This visit is already confirmed."
            : appointment.status === "cancelled"
              ? "This visit is cancelled."
              : "This visit can no longer be changed with this link."}
        </p>
      ) : (
        <>
          {follow.isError && (
            <p className="form-error" role="alert" data-testid="visit-link-problem">
              {problem(follow.error)}
            </p>
          )}
          <button
            type="button"
            className={action === "confirm" ? "btn btn--primary" : "btn btn--danger"}
            disabled={follow.isPending}
            onClick={() => follow.mutate()}
            data-testid="visit-link-act"
          >
            {follow.isPending ? words.busy : words.button}
          </button>
        </>
      )}
    </Card>
  );
}
