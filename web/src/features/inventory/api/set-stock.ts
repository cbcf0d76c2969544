import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { StockRow } from "./types";
import { replaceStockRow } from "./update-cache";

export interface SetStockInput {
  branchId: number;
  productId: number;
  on_hand?: number;
  threshold?: number;
  reason?: string;
}

export const setStock = ({ branchId, productId, ...body }: SetStockInput) =>
  api.put<StockRow>(`/api/branches/${branchId}/stock/${productId}`, body);

export function useSetStock() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: setStock,
    onSuccess: (row, input) => replaceStockRow(client, input.branchId, row),
  });
}
