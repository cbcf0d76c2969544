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
  InboxReadEvent,
  InventoryEvent,
  Level,
  NotificationEvent,
  OrderEvent,
  PrescriptionEvent,
  ReminderEvent,
  PresenceEvent,
  ScheduleEvent,
} from "@/shared/api/events.gen";
import { wordingFor, type Viewer } from "@/shared/lib/event-wording";
import { announce } from "@/shared/ui/Announcer";
import { appointmentKeys } from "@/features/appointments/api/keys";
import { deliveryKeys } from "@/features/deliveries/api/get-deliveries";
import { connectionKeys } from "@/features/connections/api/get-connections";
import { presenceKeys } from "@/features/connections/api/get-presence";
import { inventoryKeys } from "@/features/inventory/api/keys";
import { bumpUnreadCount, setUnreadCount } from "@/features/notifications/api/get-unread-count";
import { notificationKeys } from "@/features/notifications/api/keys";
import { prescriptionKeys } from "@/features/prescriptions/api/keys";
import { orderKeys } from "@/features/orders/api/keys";
import { scheduleKeys } from "@/features/schedules/api/schedule";

export interface DispatchContext {
  client: QueryClient;
  navigate: (to: string) => void;
  /** True while a (re)connection is replaying missed events: toasts are summarised. */
  catchingUp: boolean;
  /** Who is reading: toasts say "you" and "your eye exam" to the right person. */
  viewer: Viewer;
}

interface Effect {
  /** Where the toast's "Open" button goes. */
  link?: string;
  /** Keeps a screen current but is not news (read state from another tab, someone coming
   * online — stored read if stored at all): no toast, not counted in the bell. */
  silent?: boolean;
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
  // Open booking forms show the new free times at once; the schedule screen the new hours.
  void client.invalidateQueries({ queryKey: appointmentKeys.availabilityAll });
  void client.invalidateQueries({ queryKey: scheduleKeys.all });
  return { link: "/schedule" };
}

function onOrder(_: OrderEvent, { client }: DispatchContext): Effect {
  void client.invalidateQueries({ queryKey: orderKeys.all });
  return { link: "/orders" };
}

function onReminder(_: ReminderEvent): Effect {
  return { link: "/appointments" };
}

function onPresence(_: PresenceEvent, { client }: DispatchContext): Effect {
  void client.invalidateQueries({ queryKey: presenceKeys.all });
  return { silent: true };
}

function onNotification(_: NotificationEvent): Effect {
  return { link: "/notifications" };
}

/** This user read something in another tab or device: take its count, re-read the lists. */
function onInboxRead(event: InboxReadEvent, { client }: DispatchContext): Effect {
  setUnreadCount(client, event.unread_count);
  void client.invalidateQueries({ queryKey: notificationKeys.lists });
  return { silent: true };
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
  "appointment.reminder": onReminder,
  "order.created": onOrder,
  "order.updated": onOrder,
  "order.ready": onOrder,
  "order.collected": onOrder,
  "order.cancelled": onOrder,
  "order.late": onOrder,
  "inbox.read": onInboxRead,
  "presence.changed": onPresence,
};

/** Not an event (no id, no payload, not in the inbox): the gateway tells admins' sockets that some
 * node's sockets opened, closed or changed channels. An open connections view re-reads. */
export const CONNECTIONS_CHANGED = "connections.changed";

export function onConnectionsChanged(client: QueryClient): void {
  void client.invalidateQueries({ queryKey: connectionKeys.all });
}

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
  const words = wordingFor(name, payload as unknown as Record<string, unknown>, payload, ctx.viewer);
  const link = words.link !== "/notifications" ? words.link : effect.link;
  if (urgent) announce(`Urgent: ${words.title}. ${words.message}`, "assertive");
  SHOW[payload.level](
    <span data-testid="toast" data-event={name} data-event-id={payload.event_id} data-level={payload.level}>
      {words.title}
    </span>,
    {
      id: `event-${payload.event_id}`,
      description: words.message,
      // An urgent message stays until the person dismisses it.
      duration: urgent ? Number.POSITIVE_INFINITY : 7000,
      closeButton: true,
      className: urgent ? "toast--urgent" : undefined,
      action: link ? { label: "Open", onClick: () => ctx.navigate(link) } : undefined,
    },
  );
}

/** The person's own action (they booked, confirmed, cancelled): stored already read. */
function isOwn(payload: EventPayloads[EventName], viewer: Viewer): boolean {
  const by = (payload as { by?: { id: number } | null }).by;
  return !!by && by.id === viewer.id;
}

/** One event, as received: refresh what it touches, count it in the bell, show it. */
export function dispatchEvent<K extends EventName>(name: K, payload: EventPayloads[K], ctx: DispatchContext): void {
  const effect = handlers[name](payload, ctx);
  if (effect.silent) return;
  // Every event delivered to a person is also a row in their inbox, unread unless they caused it.
  if (!isOwn(payload, ctx.viewer)) bumpUnreadCount(ctx.client);
  void ctx.client.invalidateQueries({ queryKey: notificationKeys.lists });
  // New inbox rows mean new deliveries: an open delivery log reads itself again.
  void ctx.client.invalidateQueries({ queryKey: deliveryKeys.all });
  showToast(name, payload, effect, ctx);
}
