import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import { Link } from "react-router";
import { toast } from "sonner";
import { errorMessage } from "@/shared/api/client";
import { formatDay, formatTime, formatWhen, titleCase } from "@/shared/lib/format";
import type { Role, SessionUser } from "@/shared/session/session";
import { announce } from "@/shared/ui/Announcer";
import { Badge, type Tone } from "@/shared/ui/Badge";
import { useActOnAppointment } from "../api/act-on-appointment";
import { useRescheduleAppointment } from "../api/reschedule-appointment";
import { ACTIONS_FROM, APPOINTMENT_TYPES, RESCHEDULABLE, type Appointment, type AppointmentAction } from "../api/types";
import { SlotPicker, type Slot } from "./SlotPicker";

const STATUS_TONE: Record<Appointment["status"], Tone> = {
  scheduled: "info",
  confirmed: "success",
  in_progress: "warning",
  completed: "neutral",
  cancelled: "danger",
  no_show: "danger",
};

const ACTION_LABEL: Record<AppointmentAction, string> = {
  confirm: "Confirm",
  start: "Start",
  complete: "Complete",
  cancel: "Cancel",
  "no-show": "No-show",
};

const DONE: Record<AppointmentAction, string> = {
  confirm: "confirmed",
  start: "started",
  complete: "completed",
  cancel: "cancelled",
  "no-show": "marked as missed",
};

/** What each role may do (the server decides; this only hides buttons that would be refused). */
function allowedActions(role: Role, appointment: Appointment): AppointmentAction[] {
  const possible = ACTIONS_FROM[appointment.status];
  if (role === "customer") return possible.filter((a) => a === "cancel");
  return possible;
}

const typeLabel = (a: Appointment) => APPOINTMENT_TYPES.find((t) => t.value === a.type)?.label ?? titleCase(a.type);

/** "Maria Cruz's eye exam, Mon 30 Nov, 2:00 pm": which appointment a button acts on. */
function which(a: Appointment, role: Role): string {
  const whose = role === "customer" ? "your" : `${a.patient.name}'s`;
  return `${whose} ${typeLabel(a).toLowerCase()}, ${formatWhen(a.date, a.start_time)}`;
}

export function AppointmentRow({ appointment, user, focused }: { appointment: Appointment; user: SessionUser; focused?: boolean }) {
  const role = user.role;
  const act = useActOnAppointment();
  const [panel, setPanel] = useState<"none" | "reason" | "reschedule">("none");
  const [pending, setPending] = useState<AppointmentAction | null>(null);
  const rowRef = useRef<HTMLLIElement>(null);
  const cancelToggle = useRef<HTMLButtonElement>(null);
  const rescheduleToggle = useRef<HTMLButtonElement>(null);
  const actions = allowedActions(role, appointment);
  const canReschedule = role !== "optometrist" && RESCHEDULABLE.includes(appointment.status);
  const canWriteRx =
    role === "optometrist" && appointment.optometrist.id === user.id && (appointment.status === "completed" || appointment.status === "in_progress");
  // Changed within 15 s of when this row appeared, or since (a live update): highlighted.
  const [shownAt] = useState(Date.now);
  const fresh = shownAt - new Date(appointment.updated_at).getTime() < 15_000;
  const label = which(appointment, role);
  // The accessible name starts with the button's own words (WCAG 2.5.3, label in name).
  const cancelWords = actions.includes("no-show") && role !== "customer" ? "Cancel / no-show" : "Cancel";

  useEffect(() => {
    if (focused) rowRef.current?.focus();
  }, [focused]);

  /** Close a panel and give focus back to the button that opened it (never to the page body). */
  const closePanel = (which: "reason" | "reschedule") => {
    setPanel("none");
    queueMicrotask(() => (which === "reason" ? cancelToggle : rescheduleToggle).current?.focus());
  };

  const run = (action: AppointmentAction, reason?: string) => {
    setPending(action);
    act.mutate(
      { id: appointment.id, action, reason },
      {
        onSuccess: () => {
          setPanel("none");
          announce(`${titleCase(label)} ${DONE[action]}.`);
          // The row stays (its status changes): focus it, so the keyboard is not lost to the page.
          queueMicrotask(() => rowRef.current?.focus());
        },
        onError: (error) => toast.error(`Could not ${ACTION_LABEL[action].toLowerCase()} ${label}`, { description: errorMessage(error) }),
        onSettled: () => setPending(null),
      },
    );
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && panel !== "none") {
      event.stopPropagation();
      closePanel(panel);
    }
  };

  return (
    <li
      ref={rowRef}
      className={`appt ${focused ? "appt--focused" : ""}`}
      data-testid="appointment-row"
      data-id={appointment.id}
      data-status={appointment.status}
      tabIndex={-1}
      aria-label={`${titleCase(label)}, ${titleCase(appointment.status).toLowerCase()}`}
      onKeyDown={onKeyDown}
    >
      {/* Keyed by the change, so a live update flashes the row without remounting it. */}
      {fresh && <span key={appointment.updated_at} className="appt__flash" aria-hidden="true" />}
      <div className="appt__when">
        <strong>{formatTime(appointment.start_time)}</strong>
        <span className="muted">{formatDay(appointment.date)}</span>
      </div>
      <div className="appt__what">
        <div>
          <strong>{role === "customer" ? typeLabel(appointment) : appointment.patient.name}</strong>{" "}
          <Badge tone={STATUS_TONE[appointment.status]} testId="appointment-status">
            {titleCase(appointment.status)}
          </Badge>
        </div>
        <div className="muted small">
          {role !== "customer" && <>{typeLabel(appointment)} · </>}
          {formatTime(appointment.start_time)}–{formatTime(appointment.end_time)} · {appointment.branch.name} · {appointment.optometrist.name}
        </div>
        {appointment.notes && <div className="small">“{appointment.notes}”</div>}
        {appointment.cancel_reason && <div className="small muted">Reason: {appointment.cancel_reason}</div>}
      </div>
      <div className="appt__actions">
        {actions
          .filter((a) => a !== "cancel" && a !== "no-show")
          .map((action) => (
            <button
              key={action}
              type="button"
              className="btn btn--small btn--primary"
              disabled={act.isPending}
              onClick={() => run(action)}
              data-testid={`action-${action}`}
              aria-label={`${ACTION_LABEL[action]} ${label}`}
            >
              {pending === action ? "…" : ACTION_LABEL[action]}
            </button>
          ))}
        {canWriteRx && (
          <Link className="btn btn--small btn--primary" to={`/prescriptions/new?appointment_id=${appointment.id}`} data-testid="action-write-rx" aria-label={`Write a prescription for ${label}`}>
            Write prescription
          </Link>
        )}
        {appointment.status === "completed" && role !== "customer" && (
          <Link className="btn btn--small" to={`/orders/new?appointment_id=${appointment.id}`} data-testid="action-order-glasses" aria-label={`Order glasses for ${label}`}>
            Order glasses
          </Link>
        )}
        {canReschedule && (
          <PanelToggle ref={rescheduleToggle} open={panel === "reschedule"} onToggle={() => setPanel(panel === "reschedule" ? "none" : "reschedule")} disabled={act.isPending} label={`Reschedule ${label}`} testId="action-reschedule-open">
            Reschedule
          </PanelToggle>
        )}
        {(actions.includes("cancel") || actions.includes("no-show")) && (
          <PanelToggle ref={cancelToggle} open={panel === "reason"} onToggle={() => setPanel(panel === "reason" ? "none" : "reason")} disabled={act.isPending} label={`${cancelWords} ${label}`} testId="action-cancel-open" danger>
            {cancelWords}
          </PanelToggle>
        )}
      </div>
      {panel === "reason" && (
        <ReasonPanel
          actions={actions.filter((a): a is "cancel" | "no-show" => a === "cancel" || a === "no-show")}
          busy={act.isPending}
          label={label}
          onRun={run}
          onClose={() => closePanel("reason")}
        />
      )}
      {panel === "reschedule" && (
        <ReschedulePanel
          appointment={appointment}
          label={label}
          onDone={(moved) => {
            if (moved) {
              setPanel("none");
              announce(`${titleCase(label)} moved.`);
              queueMicrotask(() => rowRef.current?.focus());
            } else closePanel("reschedule");
          }}
        />
      )}
    </li>
  );
}

/** A button that opens and closes one of the row's panels (focus returns to it on close). */
function PanelToggle({ ref, ...props }: {
  ref: RefObject<HTMLButtonElement | null>;
  open: boolean;
  onToggle: () => void;
  disabled: boolean;
  label: string;
  testId: string;
  danger?: boolean;
  children: ReactNode;
}) {
  return (
    <button
      ref={ref}
      type="button"
      className={props.danger ? "btn btn--small btn--danger-outline" : "btn btn--small"}
      disabled={props.disabled}
      onClick={props.onToggle}
      aria-expanded={props.open}
      aria-label={props.label}
      data-testid={props.testId}
    >
      {props.children}
    </button>
  );
}

function ReasonPanel(props: {
  actions: ("cancel" | "no-show")[];
  busy: boolean;
  label: string;
  onRun: (action: AppointmentAction, reason?: string) => void;
  onClose: () => void;
}) {
  const [reason, setReason] = useState("");
  return (
    <div className="appt__panel appt__panel--reason" role="group" aria-label={`Cancel ${props.label}`}>
      <label className="appt__reason">
        Reason (optional)
        <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} autoFocus data-testid="cancel-reason" />
      </label>
      <div className="row">
        {props.actions.map((action) => (
          <button
            key={action}
            type="button"
            className="btn btn--small btn--danger"
            disabled={props.busy}
            onClick={() => props.onRun(action, reason.trim() || undefined)}
            data-testid={`action-${action}`}
          >
            {action === "cancel" ? "Cancel appointment" : "Mark no-show"}
          </button>
        ))}
        <button type="button" className="btn btn--small" onClick={props.onClose} disabled={props.busy} data-testid="action-keep">
          Keep
        </button>
      </div>
    </div>
  );
}

function ReschedulePanel({ appointment, label, onDone }: { appointment: Appointment; label: string; onDone: (moved: boolean) => void }) {
  const [date, setDate] = useState(appointment.date);
  const [slot, setSlot] = useState<Slot | null>(null);
  const reschedule = useRescheduleAppointment();
  const minutes = Math.max(
    5,
    (Number(appointment.end_time.slice(0, 2)) * 60 + Number(appointment.end_time.slice(3))) -
      (Number(appointment.start_time.slice(0, 2)) * 60 + Number(appointment.start_time.slice(3))),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!slot || reschedule.isPending) return;
    reschedule.mutate(
      { id: appointment.id, date, start_time: slot.start_time, end_time: slot.end_time },
      {
        // Everyone concerned, the mover included, is told by the appointment.updated event.
        onSuccess: () => onDone(true),
      },
    );
  };
  return (
    <form className="appt__panel appt__panel--column" onSubmit={submit} aria-label={`Reschedule ${label}`}>
      <label className="appt__day">
        New day
        <input type="date" value={date} onChange={(e) => { setDate(e.target.value); setSlot(null); }} />
      </label>
      <SlotPicker optometristId={appointment.optometrist.id} branchId={appointment.branch.id} date={date} duration={minutes} value={slot} onChange={setSlot} />
      {reschedule.isError && <p className="form-error" role="alert">{errorMessage(reschedule.error)}</p>}
      <div className="row">
        <button type="submit" className="btn btn--small btn--primary" disabled={!slot || reschedule.isPending}>
          {reschedule.isPending ? "Moving…" : slot ? `Move to ${formatDay(date)}, ${formatTime(slot.start_time)}` : "Choose a time"}
        </button>
        <button type="button" className="btn btn--small" onClick={() => onDone(false)} disabled={reschedule.isPending}>
          Close
        </button>
      </div>
    </form>
  );
}
