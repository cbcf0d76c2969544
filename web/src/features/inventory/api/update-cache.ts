import type { QueryClient } from "@tanstack/react-query";
import { inventoryKeys } from "./keys";
import type { StockRow } from "./types";

/** Put the server's answer for one row into the branch's table at once, then refetch quietly. */
export function replaceStockRow(client: QueryClient, branchId: number, row: StockRow): void {
  client.setQueryData<StockRow[]>(inventoryKeys.branch(branchId), (rows) =>
    rows?.map((old) => (old.product.id === row.product.id ? row : old)),
  );
  void client.invalidateQueries({ queryKey: inventoryKeys.branch(branchId) });
}
