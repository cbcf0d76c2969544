/**
 * Reference data several features read: branches and people. Kept in shared because features
 * never import one another.
 */
import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import type { Role } from "@/shared/session/session";
import type { BranchOut, MemberOut, UserOut } from "./rest.gen";

export type Branch = BranchOut;

export type UserRow = UserOut;

/** A user with the branches they work at (`GET /api/users`): an optometrist's by their schedule. */
export type Member = MemberOut;

export const referenceKeys = {
  branches: ["branches"] as const,
  users: (filters: { role?: Role; branch_id?: number }) => ["users", filters] as const,
};

export const getBranches = (signal?: AbortSignal) => api.get<Branch[]>("/api/branches", undefined, signal);

export function useBranches() {
  return useQuery({
    queryKey: referenceKeys.branches,
    queryFn: ({ signal }) => getBranches(signal),
    staleTime: 5 * 60_000,
  });
}

export const getUsers = (filters: { role?: Role; branch_id?: number }, signal?: AbortSignal) =>
  api.get<Member[]>("/api/users", filters, signal);

/** Admins see everyone; staff the people of their branch; others may not list users. */
export function useUsers(filters: { role?: Role; branch_id?: number }, enabled = true) {
  return useQuery({
    queryKey: referenceKeys.users(filters),
    queryFn: ({ signal }) => getUsers(filters, signal),
    enabled,
    staleTime: 60_000,
  });
}
