import type { OrderFilters } from "./types";

export const orderKeys = {
  all: ["orders"] as const,
  lists: ["orders", "list"] as const,
  list: (filters: OrderFilters) => ["orders", "list", filters] as const,
  prescriptions: ["orders", "prescriptions"] as const,
  frames: ["orders", "frames"] as const,
};
