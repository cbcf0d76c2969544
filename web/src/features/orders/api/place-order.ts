import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { orderKeys } from "./keys";
import type { NewOrder, Order } from "./types";

export const placeOrder = (input: NewOrder) => api.post<Order>("/api/orders", input);

export function usePlaceOrder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: placeOrder,
    onSettled: () => void client.invalidateQueries({ queryKey: orderKeys.all }),
  });
}
