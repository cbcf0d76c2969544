import type { OrderIn, OrderOut } from "@/shared/api/rest.gen";

export type Order = OrderOut;
export type NewOrder = OrderIn;
export type LensType = OrderOut["lens_type"];
export type OrderStatus = OrderOut["status"];
export type OrderAction = "send-to-lab" | "mark-ready" | "collect" | "cancel";



export interface OrderFilters {
  status?: OrderStatus;
  branch_id?: number;
}



export const LENS_LABELS: Record<LensType, string> = {
  single_vision: "Single vision",
  bifocal: "Bifocal",
  progressive: "Progressive",
  contact_lens: "Contact lenses",
};

export const STATUS_LABELS: Record<OrderStatus, string> = {
  ordered: "Ordered",
  in_lab: "At the lab",
  ready: "Ready for pickup",
  collected: "Collected",
  cancelled: "Cancelled",
};

/** Where each status may go next, and the button that takes it there (the server decides). */
export const NEXT_ACTION: Partial<Record<OrderStatus, { action: OrderAction; label: string }>> = {
  ordered: { action: "send-to-lab", label: "Send to lab" },
  in_lab: { action: "mark-ready", label: "Mark ready" },
  ready: { action: "collect", label: "Collected" },
};

export const CANCELLABLE: OrderStatus[] = ["ordered", "in_lab", "ready"];
