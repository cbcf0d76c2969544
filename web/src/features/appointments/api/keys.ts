import type { AppointmentFilters } from "./types";

export const appointmentKeys = {
  all: ["appointments"] as const,
  lists: ["appointments", "list"] as const,
  list: (filters: AppointmentFilters) => ["appointments", "list", filters] as const,
  detail: (id: number) => ["appointments", "detail", id] as const,
  availabilityAll: ["availability"] as const,
  availability: (q: { optometrist_id: number; branch_id: number; date: string; duration: number }) =>
    ["availability", q] as const,
  optometrists: (branchId: number) => ["optometrists", branchId] as const,
};
