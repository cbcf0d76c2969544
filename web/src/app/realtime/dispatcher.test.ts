import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { appointmentKeys } from "@/features/appointments/api/keys";
import { inventoryKeys } from "@/features/inventory/api/keys";
import { notificationKeys } from "@/features/notifications/api/keys";
import { EVENT_NAMES, type AppointmentEvent, type InventoryEvent } from "@/shared/api/events.gen";
import { connectionKeys } from "@/features/connections/api/get-connections";
import { CONNECTIONS_CHANGED, dispatchEvent, handlers, isEventName, onConnectionsChanged } from "./dispatcher";

const base = { title: "t", message: "m", level: "info" as const, timestamp: "2026-01-01T00:00:00Z" };

function seeded() {
  const client = new QueryClient();
  client.setQueryData(notificationKeys.unreadCount, { count: 2 });
  client.setQueryData(appointmentKeys.list({}), []);
  client.setQueryData(inventoryKeys.branch(1), []);
  client.setQueryData(inventoryKeys.branch(2), []);
  return client;
}

const viewer = { id: 9, role: "staff" };

const invalidated = (client: QueryClient, key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated;

describe("dispatcher", () => {
  it("handles every event in the catalogue", () => {
    expect(Object.keys(handlers).sort()).toEqual([...EVENT_NAMES].sort());
    expect(isEventName("appointment.created")).toBe(true);
    expect(isEventName("toString")).toBe(false);
  });

  it("counts an appointment event in the bell and refreshes the appointment lists", () => {
    const client = seeded();
    const event = {
      ...base,
      event_id: 7,
      event: "appointment.created",
      type: "created",
      id: 3,
      appointment: {
        id: 3, date: "2026-01-02", time: "09:00", end_time: "09:30", status: "scheduled", type: "eye_exam",
        patient: { id: 1, name: "P", email: "p@x" }, optometrist: { id: 2, name: "O" }, branch: { id: 1, name: "B" },
      },
      by: { id: 1, name: "P" },
    } satisfies AppointmentEvent;
    dispatchEvent("appointment.created", event, { client, navigate: () => {}, catchingUp: false, viewer });
    expect(client.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 3 });
    expect(invalidated(client, appointmentKeys.list({}))).toBe(true);
    expect(invalidated(client, inventoryKeys.branch(1))).toBe(false);
  });

  it("refreshes only the stock of the event's branch", () => {
    const client = seeded();
    const event = {
      ...base,
      event_id: 8,
      event: "inventory.low_stock",
      type: "low_stock",
      product: { id: 1, name: "F", sku: "S", image: "" },
      branch: { id: 2, name: "B", address: "A" },
      stock: { current_level: 4, threshold: 5, status: "low" },
    } satisfies InventoryEvent;
    dispatchEvent("inventory.low_stock", event, { client, navigate: () => {}, catchingUp: false, viewer });
    expect(invalidated(client, inventoryKeys.branch(2))).toBe(true);
    expect(invalidated(client, inventoryKeys.branch(1))).toBe(false);
    expect(invalidated(client, appointmentKeys.list({}))).toBe(false);
  });

  it("does not count the person's own action in their bell (it arrives read)", () => {
    const client = seeded();
    const event = {
      ...base,
      event_id: 9,
      event: "appointment.cancelled",
      type: "cancelled",
      id: 3,
      appointment: {
        id: 3, date: "2026-01-02", time: "09:00", end_time: "09:30", status: "cancelled", type: "eye_exam",
        patient: { id: 1, name: "P", email: "p@x" }, optometrist: { id: 2, name: "O" }, branch: { id: 1, name: "B" },
      },
      by: { id: viewer.id, name: "Desk" },
    } satisfies AppointmentEvent;
    dispatchEvent("appointment.cancelled", event, { client, navigate: () => {}, catchingUp: false, viewer });
    expect(client.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 2 });
    expect(invalidated(client, appointmentKeys.list({}))).toBe(true);
  });

  it("takes the count of a read in another tab and refreshes the inbox, without a toast", () => {
    const client = seeded();
    client.setQueryData(notificationKeys.list(false), { pages: [], pageParams: [] });
    dispatchEvent(
      "inbox.read",
      { ...base, event_id: 10, event: "inbox.read", type: "read", user_id: 9, ids: [4], all: false, unread_count: 1 },
      { client, navigate: () => {}, catchingUp: false, viewer },
    );
    expect(client.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 1 });
    expect(invalidated(client, notificationKeys.list(false))).toBe(true);
  });

  it("re-reads the connections view on connections.changed, which is no inbox event", () => {
    const client = seeded();
    client.setQueryData(connectionKeys.all, []);
    expect(isEventName(CONNECTIONS_CHANGED)).toBe(false);
    onConnectionsChanged(client);
    expect(invalidated(client, connectionKeys.all)).toBe(true);
    expect(client.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 2 });
  });
});
