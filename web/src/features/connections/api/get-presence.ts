import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { PresenceOut } from "@/shared/api/rest.gen";

/** One staff member or optometrist online somewhere in the cluster (GET /api/presence). */
export type PresenceEntry = PresenceOut;

export const presenceKeys = {
  all: ["presence"] as const,
  branch: (branchId: number | null) => ["presence", { branchId }] as const,
};

export const getPresence = (branchId: number | null, signal?: AbortSignal) =>
  api.get<PresenceEntry[]>("/api/presence", branchId === null ? undefined : { branch_id: branchId }, signal);

/** Refreshed by `presence.changed` (the app's dispatcher), never polled. */
export function usePresence(branchId: number | null = null) {
  return useQuery({ queryKey: presenceKeys.branch(branchId), queryFn: ({ signal }) => getPresence(branchId, signal) });
}
