export const inventoryKeys = {
  all: ["stock"] as const,
  branch: (branchId: number) => ["stock", branchId] as const,
};
