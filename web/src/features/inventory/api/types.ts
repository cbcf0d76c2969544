import type { ProductOut, StockRowOut } from "@/shared/api/rest.gen";

export type Product = ProductOut;
export type StockRow = StockRowOut;
export type StockStatus = StockRowOut["status"];
