import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { orderKeys } from "./keys";
import type { Order, OrderAction } from "./types";

export interface OrderActionInput {
  id: number;
  action: OrderAction;
  reason?: string;
}

export const actOnOrder = ({ id, action, reason }: OrderActionInput) =>
  api.post<Order>(`/api/orders/${id}/${action}`, action === "cancel" ? { reason: reason ?? "" } : undefined);

export function useActOnOrder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: actOnOrder,
    onSettled: () => void client.invalidateQueries({ queryKey: orderKeys.all }),
  });
}
