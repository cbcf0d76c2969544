import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { StockRow } from "./types";
import { replaceStockRow } from "./update-cache";

export interface AdjustStockInput {
  branchId: number;
  productId: number;
  delta: number;
  reason: string;
}

export const adjustStock = ({ branchId, productId, delta, reason }: AdjustStockInput) =>
  api.post<StockRow>(`/api/branches/${branchId}/stock/${productId}/adjust`, { delta, reason });

export function useAdjustStock() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: adjustStock,
    onSuccess: (row, input) => replaceStockRow(client, input.branchId, row),
  });
}
