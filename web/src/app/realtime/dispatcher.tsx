/**
 * THE place that knows what each real-time event means to the app: which toast it shows (at the
 * payload's level) and which cached data it refreshes. Every name in the catalogue must have a
 * handler (the `Handlers` type makes a missing one a compile error).
 */
import type { QueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import type {
  AppointmentEvent,
  EventName,
  EventPayloads,
  InventoryEvent,
  Level,
  NotificationEvent,
  PrescriptionEvent,
  PresenceEvent,
  ScheduleEvent,
} from "@/shared/api/events.gen";
import { appointmentKeys } from "@/features/appointments/api/keys";
import { presenceKeys } from "@/features/connections/api/get-presence";
import { inventoryKeys } from "@/features/inventory/api/keys";
import { bumpUnreadCount } from "@/features/notifications/api/get-unread-count";
import { notificationKeys } from "@/features/notifications/api/keys";
import { prescriptionKeys } from "@/features/prescriptions/api/keys";

export interface DispatchContext {
  client: QueryClient;
  navigate: (to: string) => void;
  /** True while a (re)connection is replaying missed events: toasts are summarised. */
  catchingUp: boolean;
}

interface Effect {
  /** Where the toast's "Open" button goes. */
  link?: string;
  /** Keeps a screen current but is not news: no toast, not counted in the bell (its inbox row
   * is stored read). */
  ambient?: boolean;
}

type Handlers = { [K in EventName]: (payload: EventPayloads[K], ctx: DispatchContext) => Effect };

function onAppointment(_: AppointmentEvent, { client }: DispatchContext): Effect {
  void client.invalidateQueries({ queryKey: appointmentKeys.all });
  void client.invalidateQueries({ queryKey: appointmentKeys.availabilityAll });
  void client.invalidateQueries({ queryKey: prescriptionKeys.candidates });
  return { link: "/appointments" };
}

function onInventory(event: InventoryEvent, { client }: DispatchContext): Effect {
  void client.invalidateQueries({ queryKey: inventoryKeys.branch(event.branch.id) });
  return { link: "/inventory" };
}

function onPrescription(_: PrescriptionEvent, { client }: DispatchContext): Effect {
  void client.invalidateQueries({ queryKey: prescriptionKeys.all });
  return { link: "/prescriptions" };
}

function onSchedule(_: ScheduleEvent, { client }: DispatchContext): Effect {
  void client.invalidateQueries({ queryKey: appointmentKeys.availabilityAll });
  return { link: "/appointments" };
}

function onPresence(_: PresenceEvent, { client }: DispatchContext): Effect {
  void client.invalidateQueries({ queryKey: presenceKeys.all });
  return { ambient: true };
}

function onNotification(_: NotificationEvent): Effect {
  return { link: "/notifications" };
}

export const handlers: Handlers = {
  "appointment.created": onAppointment,
  "appointment.updated": onAppointment,
  "appointment.confirmed": onAppointment,
  "appointment.cancelled": onAppointment,
  "appointment.completed": onAppointment,
  "appointment.no_show": onAppointment,
  "inventory.low_stock": onInventory,
  "inventory.out_of_stock": onInventory,
  "inventory.restocked": onInventory,
  "notification.general": onNotification,
  "notification.alert": onNotification,
  "notification.urgent": onNotification,
  "prescription.created": onPrescription,
  "schedule.updated": onSchedule,
  "presence.changed": onPresence,
};

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(handlers, name);
}

const SHOW: Record<Level, typeof toast.success> = {
  success: toast.success,
  info: toast.info,
  warning: toast.warning,
  error: toast.error,
};

/** During a replay only the first few events get their own toast; the rest are counted. */
const REPLAY_TOASTS = 3;
let replayed = 0;

export function resetReplaySummary(): void {
  replayed = 0;
}

function showToast(name: EventName, payload: EventPayloads[EventName], effect: Effect, ctx: DispatchContext): void {
  if (ctx.catchingUp && ++replayed > REPLAY_TOASTS) {
    const more = replayed - REPLAY_TOASTS;
    toast.info(
      <span data-testid="toast" data-event="catch-up">
        {more} more while you were away
      </span>,
      {
        id: "catch-up-summary",
        description: "See them all in your notifications.",
        action: { label: "Open", onClick: () => ctx.navigate("/notifications") },
      },
    );
    return;
  }
  const urgent = name === "notification.urgent";
  SHOW[payload.level](
    <span data-testid="toast" data-event={name} data-event-id={payload.event_id} data-level={payload.level}>
      {payload.title}
    </span>,
    {
      id: `event-${payload.event_id}`,
      description: payload.message,
      // An urgent message stays until the person dismisses it.
      duration: urgent ? Number.POSITIVE_INFINITY : 7000,
      closeButton: true,
      className: urgent ? "toast--urgent" : undefined,
      action: effect.link ? { label: "Open", onClick: () => ctx.navigate(effect.link ?? "/") } : undefined,
    },
  );
}

/** One event, as received: refresh what it touches, count it in the bell, show it. */
export function dispatchEvent<K extends EventName>(name: K, payload: EventPayloads[K], ctx: DispatchContext): void {
  const effect = handlers[name](payload, ctx);
  if (effect.ambient) return;
  // Every event delivered to a person is also one unread row in their inbox.
  bumpUnreadCount(ctx.client);
  void ctx.client.invalidateQueries({ queryKey: notificationKeys.lists });
  showToast(name, payload, effect, ctx);
}
