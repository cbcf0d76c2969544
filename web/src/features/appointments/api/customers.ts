import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { UserRow } from "@/shared/api/reference";
import type { WalkInIn } from "@/shared/api/rest.gen";

/** Every customer of the chain, by part of a name, email or phone (staff and admins). */
export const searchCustomers = (q: string, signal?: AbortSignal) => api.get<UserRow[]>("/api/customers", { q }, signal);

export const customerKeys = {
  all: ["customers"] as const,
  search: (q: string) => ["customers", "search", q] as const,
};

export function useCustomerSearch(q: string, enabled: boolean) {
  return useQuery({
    queryKey: customerKeys.search(q.trim()),
    queryFn: ({ signal }) => searchCustomers(q.trim(), signal),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export type WalkInInput = WalkInIn;

export const registerWalkIn = (input: WalkInInput) => api.post<UserRow>("/api/customers", input);

export function useRegisterWalkIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: registerWalkIn,
    onSuccess: () => void client.invalidateQueries({ queryKey: customerKeys.all }),
  });
}
