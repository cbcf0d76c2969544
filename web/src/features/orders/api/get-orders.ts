import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { orderKeys } from "./keys";
import type { Order, OrderFilters } from "./types";

export const getOrders = (filters: OrderFilters, signal?: AbortSignal) =>
  api.get<Order[]>("/api/orders", { ...filters }, signal);

/** Scoped by the server: patients see their own, staff and optometrists their branches'.
 * Kept fresh by order events (the dispatcher invalidates `orderKeys.all`), never by polling. */
export function useOrders(filters: OrderFilters = {}) {
  return useQuery({
    queryKey: orderKeys.list(filters),
    queryFn: ({ signal }) => getOrders(filters, signal),
  });
}
