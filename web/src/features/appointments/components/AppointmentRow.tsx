import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { toast } from "sonner";
import { errorMessage } from "@/shared/api/client";
import { formatDay, titleCase } from "@/shared/lib/format";
import type { Role } from "@/shared/session/session";
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

/** What each role may do (the server decides; this only hides buttons that would be refused). */
function allowedActions(role: Role, appointment: Appointment): AppointmentAction[] {
  const possible = ACTIONS_FROM[appointment.status];
  if (role === "customer") return possible.filter((a) => a === "cancel");
  return possible;
}

export function AppointmentRow({ appointment, role }: { appointment: Appointment; role: Role }) {
  const act = useActOnAppointment();
  const [panel, setPanel] = useState<"none" | "reason" | "reschedule">("none");
  const [pending, setPending] = useState<AppointmentAction | null>(null);
  const actions = allowedActions(role, appointment);
  const canReschedule = role !== "optometrist" && RESCHEDULABLE.includes(appointment.status);
  const fresh = Date.now() - new Date(appointment.updated_at).getTime() < 15_000;

  const run = (action: AppointmentAction, reason?: string) => {
    setPending(action);
    act.mutate(
      { id: appointment.id, action, reason },
      {
        onSuccess: () => setPanel("none"),
        onError: (error) => toast.error(`Could not ${ACTION_LABEL[action].toLowerCase()}`, { description: errorMessage(error) }),
        onSettled: () => setPending(null),
      },
    );
  };

  return (
    <li
      className="appt"
      data-testid="appointment-row"
      data-id={appointment.id}
      data-status={appointment.status}
    >
      {/* Keyed by the change, so a live update flashes the row without remounting it. */}
      {fresh && <span key={appointment.updated_at} className="appt__flash" aria-hidden="true" />}
      <div className="appt__when">
        <strong>{appointment.start_time}</strong>
        <span className="muted">{formatDay(appointment.date)}</span>
      </div>
      <div className="appt__what">
        <div>
          <strong>{role === "customer" ? (APPOINTMENT_TYPES.find((t) => t.value === appointment.type)?.label ?? appointment.type) : appointment.patient.name}</strong>{" "}
          <Badge tone={STATUS_TONE[appointment.status]} testId="appointment-status">
            {titleCase(appointment.status)}
          </Badge>
        </div>
        <div className="muted small">
          {role !== "customer" && <>{titleCase(appointment.type)} · </>}
          {appointment.start_time}–{appointment.end_time} · {appointment.branch.name} · {appointment.optometrist.name}
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
            >
              {pending === action ? "…" : ACTION_LABEL[action]}
            </button>
          ))}
        {appointment.status === "completed" && role !== "customer" && (
          <Link className="btn btn--small" to={`/orders/new?appointment_id=${appointment.id}`} data-testid="action-order-glasses">
            Order glasses
          </Link>
        )}
        {canReschedule && (
          <button type="button" className="btn btn--small" onClick={() => setPanel(panel === "reschedule" ? "none" : "reschedule")} aria-expanded={panel === "reschedule"}>
            Reschedule
          </button>
        )}
        {(actions.includes("cancel") || actions.includes("no-show")) && (
          <button type="button" className="btn btn--small btn--danger-outline" onClick={() => setPanel(panel === "reason" ? "none" : "reason")} aria-expanded={panel === "reason"} data-testid="action-cancel-open">
            {actions.includes("no-show") && role !== "customer" ? "Cancel / no-show" : "Cancel"}
          </button>
        )}
      </div>
      {panel === "reason" && (
        <ReasonPanel
          actions={actions.filter((a): a is "cancel" | "no-show" => a === "cancel" || a === "no-show")}
          busy={act.isPending}
          onRun={run}
          onClose={() => setPanel("none")}
        />
      )}
      {panel === "reschedule" && <ReschedulePanel appointment={appointment} onDone={() => setPanel("none")} />}
    </li>
  );
}

function ReasonPanel(props: {
  actions: ("cancel" | "no-show")[];
  busy: boolean;
  onRun: (action: AppointmentAction, reason?: string) => void;
  onClose: () => void;
}) {
  const [reason, setReason] = useState("");
  return (
    <div className="appt__panel">
      <label className="grow">
        Reason (optional)
        <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} autoFocus />
      </label>
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
      <button type="button" className="btn btn--small" onClick={props.onClose}>
        Keep
      </button>
    </div>
  );
}

function ReschedulePanel({ appointment, onDone }: { appointment: Appointment; onDone: () => void }) {
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
    if (!slot) return;
    reschedule.mutate(
      { id: appointment.id, date, start_time: slot.start_time, end_time: slot.end_time },
      {
        // Everyone concerned, the mover included, is told by the appointment.updated event.
        onSuccess: onDone,
      },
    );
  };
  return (
    <form className="appt__panel appt__panel--column" onSubmit={submit}>
      <label>
        New day
        <input type="date" value={date} onChange={(e) => { setDate(e.target.value); setSlot(null); }} />
      </label>
      <SlotPicker optometristId={appointment.optometrist.id} branchId={appointment.branch.id} date={date} duration={minutes} value={slot} onChange={setSlot} />
      {reschedule.isError && <p className="form-error">{errorMessage(reschedule.error)}</p>}
      <div className="row">
        <button type="submit" className="btn btn--small btn--primary" disabled={!slot || reschedule.isPending}>
          {slot ? `Move to ${slot.start_time}` : "Choose a time"}
        </button>
        <button type="button" className="btn btn--small" onClick={onDone}>
          Close
        </button>
      </div>
    </form>
  );
}
