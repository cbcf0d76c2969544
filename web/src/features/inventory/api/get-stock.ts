import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { inventoryKeys } from "./keys";
import type { StockRow } from "./types";

export const getStock = (branchId: number, signal?: AbortSignal) =>
  api.get<StockRow[]>(`/api/branches/${branchId}/stock`, undefined, signal);

/** A branch's stock; inventory events for that branch invalidate it. */
export function useStock(branchId: number | undefined) {
  return useQuery({
    queryKey: inventoryKeys.branch(branchId ?? 0),
    queryFn: ({ signal }) => getStock(branchId ?? 0, signal),
    enabled: branchId !== undefined,
  });
}
