export type LensType = "single_vision" | "bifocal" | "progressive" | "contact_lens";
export type OrderStatus = "ordered" | "in_lab" | "ready" | "collected" | "cancelled";
export type OrderAction = "send-to-lab" | "mark-ready" | "collect" | "cancel";

export interface Order {
  id: number;
  number: string;
  status: OrderStatus;
  lens_type: LensType;
  prescription_id: number;
  frame: { id: number; name: string; sku: string } | null;
  notes: string;
  ordered_on: string;
  due_date: string;
  late: boolean;
  cancel_reason: string;
  patient: { id: number; name: string };
  branch: { id: number; name: string };
  created_by_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface OrderFilters {
  status?: OrderStatus;
  branch_id?: number;
}

export interface NewOrder {
  prescription_id: number;
  branch_id: number;
  lens_type: LensType;
  frame_product_id?: number | null;
  notes?: string;
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
