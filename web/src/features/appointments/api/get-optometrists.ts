import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { appointmentKeys } from "./keys";
import type { BookableOptometristOut } from "@/shared/api/rest.gen";

export type OptometristRef = BookableOptometristOut;

/**
 * The optometrists to choose from when booking at a branch. Staff listing optometrists get their
 * branch's; admins get all of them (an optometrist has no home branch: where they work is their
 * schedule, and the slot list says when they are not there). Customers cannot list users, so
 * they use the branch's own list.
 */
export const getBranchOptometrists = (branchId: number, asCustomer: boolean, signal?: AbortSignal) =>
  asCustomer
    ? api.get<OptometristRef[]>(`/api/branches/${branchId}/optometrists`, undefined, signal)
    : api.get<OptometristRef[]>("/api/users", { role: "optometrist" }, signal);

export function useBranchOptometrists(branchId: number | undefined, asCustomer: boolean) {
  return useQuery({
    queryKey: [...appointmentKeys.optometrists(branchId ?? 0), asCustomer],
    queryFn: ({ signal }) => getBranchOptometrists(branchId ?? 0, asCustomer, signal),
    enabled: branchId !== undefined,
    staleTime: 5 * 60_000,
  });
}
