export type StockStatus = "normal" | "low" | "out";

export interface Product {
  id: number;
  name: string;
  sku: string;
  category: string;
  price: string;
  image: string;
}

export interface StockRow {
  product: Product;
  on_hand: number;
  reserved: number;
  available: number;
  threshold: number;
  status: StockStatus;
}
