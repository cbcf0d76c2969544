import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { DeliveryOut } from "@/shared/api/rest.gen";

export type DeliveryRow = DeliveryOut;

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
