import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";

export interface DeliveryRow {
  id: number;
  notification_id: number;
  user: { id: number; name: string };
  channel: "email" | "push";
  status: "pending" | "sent" | "failed" | "skipped";
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface DeliveryFilters {
  status?: string;
  channel?: string;
  user_id?: string;
}

export const deliveryKeys = {
  all: ["deliveries"] as const,
  list: (filters: DeliveryFilters) => ["deliveries", filters] as const,
};

export function useDeliveries(filters: DeliveryFilters) {
  return useQuery({
    queryKey: deliveryKeys.list(filters),
    queryFn: ({ signal }) => api.get<DeliveryRow[]>("/api/deliveries", { ...filters, limit: 100 }, signal),
    staleTime: 0,
  });
}
